"""gearsd's own entry point into a session interpreter (not part of the
RedisGears API): it runs a script body and keeps what the engine needs from
it, and makes the threads the session's code starts owners of the session.
The Go engine executes it as module ``__gearsd__`` after gearsbuilder.py
(gears/runtime.go). SystemExit is caught like any exception, so sys.exit()
in a script only fails that script.
"""
import _thread
import sys

import redisgears
import __gears__

last_run = None

def run_script(code):
    global last_run
    last_run = None
    namespace = __gears__._new_namespace()
    error = None
    try:
        exec(redisgears.compile_code(code, '<string>'), namespace)
    except __gears__.GearsForceStopped:
        __gears__._take_pending_run()
        raise
    except BaseException as e:
        error = __gears__._format_error(e)
    run = __gears__._take_pending_run()
    if error is None:
        last_run = run
    return error

def take_run():
    global last_run
    run, last_run = last_run, None
    return run

def describe(plan):
    options = plan.options or {}
    return [plan.reader,
            plan.arg if isinstance(plan.arg, str) else '',
            bool(options.get('noScan', False)),
            bool(options.get('readValue', True)),
            [[str(t), str(n), str(a)] for t, n, a in plan.steps()]]


def _track_threads():
    """A thread started by the session's code owns a reference on the
    session's interpreter (python/native.go, Host.ThreadStarted), so the
    interpreter ends once the thread's function has returned, never under
    it. Every way to start a thread goes through _thread."""
    def tracked(start):
        def start_thread(function, *args, **kwargs):
            if not redisgears.thread_started():
                raise RuntimeError('the session is ending: it cannot start a thread')

            def run(*a, **kw):
                try:
                    redisgears.thread_running()
                    return function(*a, **kw)
                finally:
                    redisgears.thread_ended()
            try:
                return start(run, *args, **kwargs)
            except BaseException:
                redisgears.thread_ended()
                raise
        start_thread.__name__ = start.__name__
        start_thread.__doc__ = start.__doc__
        return start_thread

    for name in ('start_new_thread', 'start_new', 'start_joinable_thread'):
        start = getattr(_thread, name, None)
        if start is not None:
            setattr(_thread, name, tracked(start))
    threading = sys.modules.get('threading')  # bound its start function at import
    if threading is not None:
        for alias, name in (('_start_new_thread', 'start_new_thread'),
                            ('_start_joinable_thread', 'start_joinable_thread')):
            if hasattr(threading, alias):
                setattr(threading, alias, getattr(_thread, name))


_track_threads()
