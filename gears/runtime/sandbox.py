"""gearsd's Python sandbox, strict mode (python.sandbox strict, the
default): what a session's code may not do to the server that hosts it.
The Go engine executes this module in every interpreter before any of the
user's code, then calls install(); see docs/security.md for what it
promises and what it does not.

This is the Python-level layer. It covers honest mistakes and ordinary code:
an audit hook (PEP 578), which code cannot remove, refuses what would reach
the process itself (signals to it, exec, fork, its memory and command line,
its data files, other sessions' interpreters and frames, ctypes), and the
session's own os, posix, fcntl and socket functions are wrapped so that the
server's file descriptors (its sockets, its event loops, its append-only
file, its standard streams: fdguard) cannot be closed, duplicated over,
read, written or wrapped. Code that digs under these wrappers is a matter
for the OS-level layer, which is not there yet.
"""
import sys

import redisgears

SETTING = 'python.sandbox'

# Modules that reach past the interpreter: raw memory and C calls, and the
# interpreters of other sessions.
REFUSED_MODULES = frozenset({
    'ctypes', '_ctypes', 'cffi', '_cffi_backend',
    '_xxsubinterpreters', '_interpreters', '_xxinterpchannels', '_interpchannels',
    '_interpqueues', '_testcapi', '_testinternalcapi',
})


class SandboxError(PermissionError):
    """Raised for what strict mode refuses."""
    __module__ = 'gears'
    __qualname__ = 'SandboxError'



def _refuse(what):
    raise SandboxError(f"{what} is refused by {SETTING} strict "
                       f"(see docs/security.md; {SETTING} trusted turns the guards off)")


def install(server_paths, allow_subprocess):
    """server_paths: the server's own files and directories (its data
    directory, config file, ACL file, TLS key), which open() refuses."""
    import os
    import posix

    own_pid = os.getpid()
    own_pgid = os.getpgid(0)
    server_paths = [os.path.realpath(p) for p in server_paths if p]
    proc_self = f'/proc/{own_pid}'
    secret_proc = ('cmdline', 'environ', 'mem', 'fd', 'fdinfo', 'maps', 'smaps',
                   'pagemap', 'syscall', 'stack', 'auxv', 'task', 'map_files')

    def protected_path(path):
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        for p in server_paths:
            if real == p or real.startswith(p + os.sep):
                return True
        for root in (proc_self, '/proc/self', '/proc/thread-self'):
            if real == root:
                return True
            if real.startswith(root + '/'):
                rest = real[len(root) + 1:]
                return rest.split('/', 1)[0] in secret_proc
        return False

    def check_fd(fd, what):
        if isinstance(fd, int) and redisgears.fd_protected(fd):
            _refuse(f"{what} on file descriptor {fd}, one of the server's,")

    def hook(event, args):
        if event == 'import':
            name = args[0]
            if isinstance(name, str) and name.split('.', 1)[0] in REFUSED_MODULES:
                _refuse(f"importing {name}")
        elif event == 'open':
            path = args[0]
            if isinstance(path, int):
                check_fd(path, 'opening')
            elif path is not None and protected_path(path):
                _refuse(f"opening {path}")
        elif event in ('os.kill', 'os.killpg'):
            target, sig = args[0], args[1]
            if event == 'os.kill' and target in (own_pid, 0, -1, -own_pid, -own_pgid):
                _refuse(f"sending signal {sig} to the server's process")
            if event == 'os.killpg' and target in (0, own_pgid):
                _refuse(f"sending signal {sig} to the server's process group")
        elif event == 'signal.pthread_kill':
            _refuse("signalling one of the server's threads")
        elif event in ('os.exec', 'os.fork', 'os.forkpty', 'os.posix_spawn', 'os.spawn'):
            _refuse(f"{event}() in the server's process")
        elif event in ('os.system', 'subprocess.Popen', 'pty.spawn'):
            if not allow_subprocess:
                _refuse("starting a process (python.allow-subprocess no)")
        elif event == 'sys._current_frames' or event == 'sys._current_exceptions':
            _refuse(event + "(), which shows other sessions' frames,")
        elif event == 'os.chdir':
            _refuse("changing the server's working directory")
        elif event in ('resource.setrlimit', 'resource.prlimit'):
            _refuse("changing the server's resource limits")
        elif event == 'mmap.__new__':
            check_fd(args[0], 'mapping')

    sys.addaudithook(hook)

    # The functions that take a descriptor, in the session's own modules
    # (modules are per interpreter: other sessions and the server are not
    # touched).
    def fd_guarded(real, name, what, fd_args):
        """real, refusing the server's descriptors in its fd_args."""
        def guarded(*args, **kwargs):
            for i in fd_args:
                if i < len(args):
                    check_fd(args[i], what)
            return real(*args, **kwargs)
        guarded.__name__ = name
        guarded.__doc__ = real.__doc__
        return guarded

    def guard_fd(module, name, what=None, fd_args=(0,)):
        real = getattr(module, name, None)
        if real is not None:
            setattr(module, name, fd_guarded(real, name, what or f'{module.__name__}.{name}()', fd_args))

    # posix's functions, and os's copies of them: one wrapper for both.
    def set_both(name, value):
        real = getattr(posix, name, None)
        if real is None:
            return
        setattr(posix, name, value)
        if getattr(os, name, None) is real:
            setattr(os, name, value)

    def guard_both(name, fd_args=(0,)):
        real = getattr(posix, name, None)
        if real is not None:
            set_both(name, fd_guarded(real, name, f'os.{name}()', fd_args))

    for name in ('close', 'dup', 'read', 'write', 'pread', 'pwrite', 'readv', 'writev',
                 'preadv', 'pwritev', 'fsync', 'fdatasync', 'ftruncate', 'lseek',
                 'fchmod', 'fchown', 'fchdir', 'set_blocking', 'set_inheritable',
                 'lockf', 'posix_fallocate', 'posix_fadvise', 'login_tty',
                 'tcsetpgrp', 'eventfd_read', 'eventfd_write'):
        guard_both(name)
    for name in ('dup2', 'sendfile', 'splice', 'copy_file_range'):
        guard_both(name, (0, 1))

    close = posix.close

    def closerange(low, high):
        # Every descriptor in the range but the server's, as closerange
        # does (errors ignored); bounded by the open-file limit.
        import resource
        high = min(high, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        for fd in range(max(low, 0), high):
            if redisgears.fd_protected(fd):
                continue
            try:
                close(fd)
            except OSError:
                pass
    set_both('closerange', closerange)

    # os._exit and os.abort are the runtime's own to refuse, in every mode
    # (gearsbuilder.py).
    for name in ('umask', 'setuid', 'setgid', 'seteuid', 'setegid', 'setreuid', 'setregid',
                 'setresuid', 'setresgid', 'setgroups', 'setsid', 'setpgid', 'setpgrp',
                 'chroot', 'unshare', 'setns', 'sched_setaffinity'):
        set_both(name, lambda *a, _n=name, **k: _refuse(f"os.{_n}(), which changes the server's process,"))

    # The modules below are wrapped when the session first imports them
    # (most never do): importing them for every new interpreter would cost
    # each session about a millisecond.
    # select.epoll is not wrapped: a Python class standing in for it in an
    # isolated interpreter (3.12+) made the runtime's finalization crash
    # once subprocess had used it; registering a server descriptor in an
    # epoll of one's own is left to the OS-level layer.
    patchers = {'signal': _patch_signal, 'fcntl': lambda m: _patch_fcntl(m, guard_fd),
                '_socket': lambda m: _patch_socket(m, check_fd, guard_fd)}
    for name, patch in patchers.items():
        if name in sys.modules:
            patch(sys.modules[name])
    if 'socket' in sys.modules:
        del sys.modules['socket']  # rebuilt over the guarded type on next import
    sys.meta_path.insert(0, _PatchingFinder(patchers))


class _PatchingFinder:
    """Finds the modules to wrap with the usual finders, and wraps each
    once it has run."""

    def __init__(self, patchers):
        self.patchers = patchers
        self.busy = False

    def find_spec(self, name, path=None, target=None):
        patch = self.patchers.get(name)
        if patch is None or self.busy:
            return None
        import importlib.util
        self.busy = True
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self.busy = False
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


class _PatchingLoader:
    def __init__(self, loader, patch):
        self.loader, self.patch = loader, patch

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.patch(module)


def _patch_signal(signal):
    for name in ('alarm', 'setitimer', 'raise_signal', 'pthread_sigmask', 'siginterrupt', 'set_wakeup_fd'):
        if hasattr(signal, name):
            setattr(signal, name, lambda *a, _n=name, **k: _refuse(f"signal.{_n}() in the server's process"))


def _patch_fcntl(fcntl, guard_fd):
    for name in ('fcntl', 'ioctl', 'flock', 'lockf'):
        guard_fd(fcntl, name)


def _patch_socket(_socket, check_fd, guard_fd):
    # Sockets over a descriptor: socket.socket(fileno=...), socket.fromfd,
    # socket.dup, and _socket's own. socket.py subclasses _socket.socket
    # when it is imported, after this.
    real_socket = _socket.socket

    class guarded_socket(real_socket):
        __slots__ = ()

        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            if fileno is not None:
                check_fd(fileno, 'socket(fileno=...)')
            super().__init__(family, type, proto, fileno)
    guarded_socket.__name__ = 'socket'
    guarded_socket.__qualname__ = 'socket'
    guarded_socket.__module__ = '_socket'
    _socket.socket = guarded_socket
    _socket.SocketType = guarded_socket
    guard_fd(_socket, 'dup', '_socket.dup()')
