#!/usr/bin/env bash
# go.sh GOCOMMAND ARGS... : run a go command that links CPython.
# PYTHON (environment) selects the CPython to link: empty for the system's
# python3-embed (Debian's python3-dev), else a python3.X interpreter whose
# shared libpython gearsd should embed. Each CPython gets its own build cache,
# because Go's cache does not notice a change of PKG_CONFIG_PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${PYTHON:-}" ]; then
	eval "$("$here/pyenv.sh" "$PYTHON")"
	export PKG_CONFIG_PATH="$PY_PKGCONFIG${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
	export CGO_LDFLAGS="-Wl,-rpath,$PY_LIBDIR${CGO_LDFLAGS:+ $CGO_LDFLAGS}"
	export GOCACHE="$(go env GOCACHE)-python$PY_VERSION"
fi
home=$(pkg-config --variable=prefix python3-embed)
cmd=$1
shift
exec go "$cmd" -ldflags "-X github.com/gearsd/gearsd/python.home=$home" "$@"
