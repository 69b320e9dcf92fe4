"""Development stand-in for gearsd's native ``redisgears`` module
(python/native.c) -- NOT used by gearsd.

devserver.DevSession executes this file into a fresh module named
``redisgears`` per session and injects ``_execute``, ``_logs``, ``_config``
and ``_atomic_calls``.  The runtime then installs ``GearsError`` & co. here,
as it does on the real module.
"""


def executeCommand(*args):
    # as native.c: bytes and bytearray go as they are, anything else str()
    if not args:
        return []
    if not isinstance(args[0], (str, bytes, bytearray)):
        raise GearsError('the given command must be a string')  # noqa: F821 (installed by the runtime)
    reply, error = _execute([a if isinstance(a, (bytes, bytearray)) else str(a) for a in args])  # noqa: F821
    if error is not None:
        raise GearsError(error)  # noqa: F821
    return reply


def log(level, message):
    _logs.append((level, message))  # noqa: F821


def config_get(key):
    return _config.get(key)  # noqa: F821


def _atomic_begin():
    _atomic_calls.append('begin')  # noqa: F821


def _atomic_end():
    _atomic_calls.append('end')  # noqa: F821
