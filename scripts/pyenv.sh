#!/usr/bin/env bash
# pyenv.sh PYTHON : print the make variables that build gearsd against the
# CPython whose interpreter is PYTHON (3.11 or newer, with a shared
# libpython): its pkg-config folder, library folder and prefix.
set -euo pipefail
py=${1:?usage: pyenv.sh /path/to/python3.X}
"$py" - <<'PY'
import sys, sysconfig
v = sysconfig.get_config_var
if sys.version_info < (3, 11):
    sys.exit("gearsd needs CPython 3.11 or newer, %s is %s" % (sys.executable, sys.version.split()[0]))
if not v("Py_ENABLE_SHARED"):
    sys.exit("%s has no shared libpython: rebuild it with --enable-shared" % sys.executable)
print("PY_PKGCONFIG=%s" % v("LIBPC"))
print("PY_LIBDIR=%s" % v("LIBDIR"))
print("PY_HOME=%s" % sys.base_prefix)
print("PY_VERSION=%d.%d" % sys.version_info[:2])
PY
