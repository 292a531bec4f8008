"""Student side of the sandbox: a zygote process and the workers it forks.

Nothing here is imported by the student's module, and nothing here imports the
reference solutions or the suites. `autograder.sandbox` (trusted side) starts one
zygote per grading process:

    python -c "...; from autograder.worker import zygote_main; zygote_main(FD)"

The zygote imports NumPy, this module, `autograder.protocol`, `autograder.wire` and the
standard-library modules students plausibly use, then waits on a SOCK_SEQPACKET control socket.
For each submission the trusted side sends wire.Fork (a wire.WorkerConfig) together with one
end of a fresh socket pair (SCM_RIGHTS); the zygote forks, and the child becomes a
worker (`worker_main`): own process group, fds closed, scratch copy of the module read,
a scratch tmpfs of its own mounted (root, where mounts are allowed), chroot + unprivileged
uid when root, rlimits, the allowlisted environment WORKER_ENV, the seccomp filter, output
captured, module executed, then it serves calls until the trusted side closes the socket.
At start the zygote probes which walls it can have (probe_walls) and enters the network, IPC
and mount namespaces it can; it reports its walls in its first message.

Why our own zygote instead of multiprocessing's "forkserver": the forkserver child
re-imports the parent's __main__ (the benchmark script, pytest's entry point...) and
inherits the resource tracker's fd; this one loads exactly what is listed below.

Wire format on the call socket: 4-byte big-endian length + payload, payloads are
`autograder.protocol` messages (never pickle) of the types in `autograder.wire`: a
wire.CallRequest (trusted -> worker) gets one reply per call, stopping after the first that is not
a wire.Returned; before any call the worker answers the import with wire.Ready or wire.ImportFailed.
"""
from __future__ import annotations

import dataclasses
import io
import json
import os
try:
    import resource
except ImportError:   # Windows: only the portable runner (autograder/portable_worker.py) imports this module there
    resource = None
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import traceback
import types

from . import protocol, wire

HEADER = struct.Struct("!I")

# Modules a student module plausibly imports. They are imported by the zygote, so a
# worker (chrooted into an empty scratch directory) can still `import` them.
PRELOAD = [
    "__future__", "abc", "array", "bisect", "cmath", "collections", "collections.abc", "contextlib",
    "copy", "dataclasses", "decimal", "enum", "fractions", "functools", "heapq", "itertools", "json",
    "math", "numbers", "operator", "pathlib", "random", "re", "statistics", "string", "textwrap",
    "time", "typing", "warnings", "ctypes",
    "encodings.idna", "encodings.latin_1", "encodings.ascii", "encodings.utf_16", "encodings.utf_32",
    "encodings.unicode_escape", "encodings.raw_unicode_escape", "encodings.cp1252",
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial", "numpy.lib.stride_tricks",
    "numpy.testing", "numpy.typing",
]

PR_SET_PDEATHSIG = 1


# ============================================================================ framing
def frame(parts: list) -> bytes:
    """The framed message (length prefix + payload) of protocol.dumps_parts pieces, in one copy."""
    return b"".join([HEADER.pack(sum(map(len, parts))), *parts])


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


_CHUNK = bytearray(1 << 16)


def recv_msg(sock: socket.socket) -> bytes:
    got = sock.recv_into(_CHUNK)
    if not got:
        raise EOFError("connection closed")
    if got < HEADER.size:
        head = bytes(_CHUNK[:got]) + _recv_exact(sock, HEADER.size - got)
        (n,) = HEADER.unpack(head)
        have = b""
    else:
        (n,) = HEADER.unpack_from(_CHUNK)
        have = memoryview(_CHUNK)[HEADER.size:got]
    if len(have) >= n:
        return bytes(have[:n])
    # a large request: the rest is read straight into a buffer of the message's size
    buf = bytearray(n)
    view = memoryview(buf)
    pos = len(have)
    view[:pos] = have
    while pos < n:
        k = sock.recv_into(view[pos:], n - pos)
        if not k:
            raise EOFError("connection closed")
        pos += k
    return buf


# ============================================================================ output capture
class BoundedOutput(io.TextIOBase):
    """sys.stdout/sys.stderr of a worker: keeps the first `limit` characters, drops the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.head: list[str] = []
        self.kept = 0
        self.total = 0

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        self.total += len(s)
        if self.kept < self.limit:
            piece = s[: self.limit - self.kept]
            self.head.append(piece)
            self.kept += len(piece)
        return len(s)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        out = "".join(self.head)
        if self.total > self.kept:
            out += f"\n... ({self.total - self.kept} more characters of output not kept)"
        return out


# ============================================================================ the worker
def set_limits(limits) -> None:
    """Each (resource.RLIMIT_*, value) as soft and hard limit, never above the hard limit already set;
    a limit this system refuses is skipped (the other walls still hold)."""
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _vm_size() -> int:
    """This process's virtual memory size in bytes (first field of /proc/self/statm, in pages)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


_libc = None


def _load_libc():
    global _libc
    if _libc is None:
        try:
            import ctypes
            _libc = ctypes.CDLL(None, use_errno=True)
        except Exception:  # noqa: BLE001 - not Linux: no prctl
            _libc = False
    return _libc


def _set_pdeathsig(sig: int) -> None:
    libc = _load_libc()
    if libc:
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def _safe_str(obj, limit: int = 600) -> str:
    try:
        text = str(obj)
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ fails
        text = "<message could not be printed>"
    return text if len(text) <= limit else text[:limit] + "..."


def _student_traceback(exc: BaseException, filename: str, frames: int = 4) -> str:
    """The last few frames that are in the student's file, plus the exception line."""
    try:
        tb = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
        lines = traceback.format_list(tb[-frames:])
        return ("".join(lines) + f"{type(exc).__name__}: {_safe_str(exc)}")[:3000]
    except BaseException:  # noqa: BLE001
        return f"{type(exc).__name__}"


def _reply(sock, reply, out: BoundedOutput) -> None:
    """Send a reply that is not a value (a wire._StatusReply), with the head of what was printed."""
    printed = out.text()[:wire.PRINTED_LIMIT]
    try:
        message = frame(protocol.dumps_parts(dataclasses.replace(reply, printed=printed).to_plain()))
    except BaseException as exc:  # noqa: BLE001 - the value cannot be encoded
        message = frame(protocol.dumps_parts(wire.BadReturnReply(message=_safe_str(exc), printed=printed).to_plain()))
    sock.sendall(message)


# The whole environment of student code (nothing of the grader's: no tokens, no paths).
WORKER_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/", "OPENBLAS_NUM_THREADS": "1",
              "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}


def _mount_scratch(scratch: str, filename: str, source: bytes, quota: dict, uid, gid) -> None:
    """As root, in a mount namespace of this worker's own: a tmpfs limited in bytes and files over the
    scratch folder, writable by the worker's uid, holding the module. It goes away with the worker."""
    if not _unshare(CLONE_NEWNS):
        raise OSError("no mount namespace for the scratch tmpfs")
    owner = f",uid={uid},gid={gid}" if uid is not None else ""
    options = f"size={int(quota['bytes'])},nr_inodes={int(quota['inodes'])},mode=0700{owner}"
    if not _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options):
        raise OSError("the scratch tmpfs could not be mounted")
    fd = os.open(os.path.join(scratch, filename), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(source)
        if uid is not None:
            os.fchown(f.fileno(), uid, gid)   # the module is the worker's own copy, as the folder is


def remove_tree(path: str) -> None:
    """Delete a folder however deep or locked its contents (shutil.rmtree recurses, so a 1,500-deep
    tree defeats it, and it gives up on folders made unreadable): rm -rf (fts) takes over then."""
    try:
        shutil.rmtree(path)
        return
    except FileNotFoundError:
        return
    except BaseException:  # noqa: BLE001 - RecursionError, PermissionError, ENAMETOOLONG...
        pass
    if os.path.lexists(path):
        subprocess.run(["chmod", "-R", "u+rwx", "--", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        subprocess.run(["rm", "-rf", "--", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)


def worker_main(sock_fd: int, cfg: wire.WorkerConfig) -> None:
    """Become the sandboxed worker for one submission module (runs in the forked child)."""
    # Own process group (killed as a group). Not setsid(): with sched_autogroup a new session
    # costs ~3 ms; the zygote already runs in a session of its own, without a terminal.
    os.setpgid(0, 0)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE, signal.SIGHUP):
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a closed socket is an exception, not a death
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, sock_fd)            # every other inherited fd (devnull included) goes
    os.closerange(sock_fd + 1, 1 << 16)
    sock = socket.socket(fileno=sock_fd)
    sock.setblocking(True)

    filename = cfg.filename              # e.g. "penalties.py"
    scratch = cfg.scratch
    with open(os.path.join(scratch, filename), "rb") as f:
        source = f.read()

    vm = _vm_size()
    uid, gid = cfg.uid, cfg.gid
    if cfg.tmpfs:
        _mount_scratch(scratch, filename, source, cfg.tmpfs, uid, gid)
    if uid is not None:
        os.chroot(scratch)
        os.chdir("/")
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        code_filename = "/" + filename
    else:
        os.chdir(scratch)
        code_filename = os.path.join(scratch, filename)
    _set_pdeathsig(signal.SIGKILL)  # after setuid (a uid change clears it)

    limits = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, 0),                    # no fork, no threads (non-root uid)
        (resource.RLIMIT_FSIZE, int(cfg.fsize)),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CPU, int(cfg.cpu)),
    ]
    if cfg.memory:
        limits.append((resource.RLIMIT_AS, vm + int(cfg.memory)))
    set_limits(limits)

    os.environ.clear()
    os.environ.update(WORKER_ENV)
    if cfg.seccomp and not install_seccomp():
        raise OSError("the seccomp filter could not be installed")
    out = BoundedOutput(int(cfg.output_limit))
    sys.stdout = sys.stderr = out
    sys.stdin = io.StringIO("")
    if uid is not None:
        sys.path[:] = []   # chrooted: nothing outside the scratch copy could be imported anyway

    module = import_module(sock, cfg.module_name, source, code_filename, out)
    if module is not None:
        _serve(sock, module, code_filename, out)


def import_module(sock, module_name: str, source: bytes, code_filename: str, out: BoundedOutput):
    """Run the student's module and send wire.Ready (its functions) or wire.ImportFailed; the
    module, or None when it could not be imported. (The sandbox's worker and the portable runner's.)"""
    module = types.ModuleType(module_name)
    module.__file__ = code_filename
    sys.modules[module_name] = module
    try:
        code = compile(source, code_filename, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f": {exc.text.strip()}" if exc.text else "")
        _reply(sock, wire.ImportFailed(message=f"SyntaxError: {_safe_str(exc.msg)} ({where})"), out)
        return None
    except SystemExit as exc:
        _reply(sock, wire.ImportFailed(
            message=f"the module called sys.exit({_safe_str(exc.code, 40)}) while being imported"), out)
        return None
    except BaseException as exc:  # noqa: BLE001 - reported to the student
        _reply(sock, wire.ImportFailed(message=f"importing the module raised {type(exc).__name__}: {_safe_str(exc)}",
                                       traceback=_student_traceback(exc, code_filename)), out)
        return None
    functions = sorted(n for n, v in vars(module).items()
                       if isinstance(n, str) and not n.startswith("_") and callable(v))
    _reply(sock, wire.Ready(functions=functions), out)
    return module


def _serve(sock, module, code_filename: str, out: BoundedOutput) -> None:
    while True:
        try:
            raw = recv_msg(sock)
        except (EOFError, OSError):
            return
        request = wire.CallRequest.from_plain(protocol.loads_request(raw))   # markers already live
        fn = getattr(module, request.function, None)
        if not callable(fn):
            out.reset()
            _reply(sock, wire.Missing(), out)
            continue
        # Several calls (call_many, call_each) get one reply each, and stop at the first call that
        # fails. A chain (a non-empty feed) passes items of each call's value on to the next call.
        previous = _NOTHING
        feed, keep, last = request.feed, request.keep, len(request.calls) - 1
        for k, (args, kwargs) in enumerate(request.calls):
            if feed and previous is not _NOTHING:
                try:
                    args, kwargs = protocol.feed_previous(args, kwargs, feed, previous)
                except protocol.ChainError as exc:
                    out.reset()
                    _reply(sock, wire.ChainFailed(message=_safe_str(exc)), out)
                    break
            previous = _run_one(sock, fn, args, kwargs, request.send_inputs_back, code_filename, out,
                                keep if k < last else None)
            if previous is _NOTHING:
                break


_NOTHING = object()   # what _run_one gives back when the call did not produce a value


def _run_one(sock, fn, args, kwargs, inputs: bool, code_filename: str, out: BoundedOutput, keep=None):
    """Call fn once and send the reply (with `keep`, only those items of the value: see
    protocol.kept_items); the value, or _NOTHING when the call did not produce one."""
    out.reset()
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError:
        _reply(sock, wire.NotImplementedReply(), out)
        return _NOTHING
    except SystemExit as exc:
        _reply(sock, wire.Raised(type="SystemExit", message=f"called sys.exit({_safe_str(exc.code, 40)})"), out)
        return _NOTHING
    except BaseException as exc:  # noqa: BLE001 - reported to the student
        _reply(sock, wire.Raised(type=type(exc).__name__, message=_safe_str(exc),
                                 traceback=_student_traceback(exc, code_filename)), out)
        return _NOTHING
    try:
        sent = protocol.kept_items(value, keep) if keep else value
        reply = wire.Returned(sent, protocol.strip_live_objects(args), protocol.strip_live_objects(kwargs)) \
            if inputs else wire.Returned(sent)
        message = frame(protocol.dumps_parts(reply.to_plain()))
    except BaseException as exc:  # noqa: BLE001 - unsupported type, or a hostile object
        _reply(sock, wire.BadReturnReply(message=_safe_str(exc)), out)
        return _NOTHING
    sock.sendall(message)
    return value


# ============================================================================ the zygote
def _prepare_imports_for_workers() -> None:
    """Import settings every worker needs, made once in the zygote (after its own imports).

    Only the student's file and the standard library (plus site-packages) can be imported: no
    other file of the submission, nothing of the repository. Clearing the import caches here
    rather than in each worker also spares every worker the copy-on-write of freeing them.
    """
    sys.path[:] = [p for p in sys.path if p.startswith(sys.base_prefix) or p.startswith(sys.prefix)]
    sys.path_importer_cache.clear()
    pkg = sys.modules.get("autograder")
    if pkg is not None:
        pkg.__path__ = []  # `import autograder.course` and friends fail inside the worker
    sys.dont_write_bytecode = True


def _kill_uid(uid: int) -> None:
    """Fork a helper that becomes `uid` and SIGKILLs every process of that uid."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)  # every process this uid may signal, except this one
        except BaseException:  # noqa: BLE001
            pass
        os._exit(0)
    os.waitpid(pid, 0)


# ============================================================================ walls
# What a worker can be shut in, probed once per process (probe_walls) and reported by `grade`.
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2

WALLS = ("uid", "chroot", "mount_ns", "net_ns", "ipc_ns", "pid_ns", "user_ns", "seccomp")

# Syscalls a worker never needs, refused (EPERM) by its seccomp filter: creating sockets (its one
# socket is inherited), System V IPC and memory file descriptors (shared memory outside RLIMIT_AS),
# new processes or threads, and every way out of the sandbox (ptrace, namespaces, mounts, keys, BPF,
# io_uring, modules...). Names this kernel's libseccomp does not know are skipped.
SECCOMP_BLOCKED = (
    "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect",
    "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
    "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "memfd_create", "memfd_secret",
    "fork", "vfork", "clone", "clone3", "execve", "execveat",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree", "fsopen",
    "fsmount", "fsconfig", "fspick", "mount_setattr", "name_to_handle_at", "open_by_handle_at",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl",
    "syslog", "vhangup", "iopl", "ioperm", "lookup_dcookie", "personality", "setdomainname",
    "sethostname", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "landlock_create_ruleset", "fanotify_init", "inotify_init", "inotify_init1",
    "setpriority", "ioprio_set", "migrate_pages", "move_pages",
)
# Refused when aimed at another process (first argument, a pid, not 0 = itself): without a uid of its
# own a worker could otherwise lower the grader's limits or move it between CPUs.
SECCOMP_SELF_ONLY = ("prlimit64", "sched_setaffinity", "sched_setscheduler", "sched_setparam")

_seccomp_program: bytes | None = None   # the filter, compiled once per process by libseccomp


def _compile_seccomp() -> bytes | None:
    """The worker's seccomp filter as raw BPF, or None where libseccomp is missing (not Linux).

    Compiled by libseccomp (the maintained compiler of these filters: it also kills a process that
    tries another syscall ABI, i386 or x32), called through ctypes because its official Python binding
    is not on PyPI (only third-party rebuilds) and five calls do not need one."""
    global _seccomp_program
    if _seccomp_program is not None:
        return _seccomp_program or None
    _seccomp_program = b""
    try:
        import ctypes
        lib = None
        for name in ("libseccomp.so.2", "libseccomp.so"):
            try:
                lib = ctypes.CDLL(name)
                break
            except OSError:
                continue
        if lib is None:
            return None
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                               ctypes.c_void_p]
        lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        act_allow, act_eperm = 0x7FFF0000, 0x00050000 | 1   # SCMP_ACT_ALLOW, SCMP_ACT_ERRNO(EPERM)

        class ArgCmp(ctypes.Structure):   # struct scmp_arg_cmp
            _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                        ("datum_b", ctypes.c_uint64)]

        not_self = ArgCmp(0, 1, 0, 0)   # argument 0 != 0 (SCMP_CMP_NE)
        ctx = lib.seccomp_init(act_allow)
        if not ctx:
            return None
        try:
            for names, count, cmp in ((SECCOMP_BLOCKED, 0, None), (SECCOMP_SELF_ONLY, 1, ctypes.byref(not_self))):
                for name in names:
                    nr = lib.seccomp_syscall_resolve_name(name.encode())
                    if nr >= 0 and lib.seccomp_rule_add_array(ctx, act_eperm, nr, count, cmp) != 0:
                        return None
            read_end, write_end = os.pipe()
            try:
                if lib.seccomp_export_bpf(ctx, write_end) != 0:
                    return None
                os.close(write_end)
                write_end = -1
                program = b""
                while chunk := os.read(read_end, 1 << 16):
                    program += chunk
            finally:
                os.close(read_end)
                if write_end >= 0:
                    os.close(write_end)
        finally:
            lib.seccomp_release(ctx)
        _seccomp_program = program if program and len(program) % 8 == 0 else b""
    except Exception:  # noqa: BLE001 - no usable libseccomp: the wall is reported as missing
        _seccomp_program = b""
    return _seccomp_program or None


def install_seccomp() -> bool:
    """Shut this process (single-threaded) in the worker's seccomp filter, under no_new_privs."""
    program = _compile_seccomp()
    libc = _load_libc()
    if not program or not libc or not hasattr(libc, "prctl"):
        return False
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buf = ctypes.create_string_buffer(program, len(program))
    prog = SockFprog(len(program) // 8, ctypes.addressof(buf))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0


def _mount(source, target, fstype, flags: int, data) -> bool:
    libc = _load_libc()
    enc = (lambda v: v.encode() if isinstance(v, str) else v)
    return bool(libc) and libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)) == 0


def _unshare(flags: int) -> bool:
    libc = _load_libc()
    return bool(libc) and libc.unshare(flags) == 0


def _probe_seccomp() -> bool:
    if not install_seccomp():
        return False
    try:
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
        return False
    except PermissionError:
        return True


def _probe_uid() -> bool:
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
    return os.getuid() == 65534


_PROBES = {
    "uid": _probe_uid,
    "chroot": lambda: os.chroot("/") is None,
    # a private mount namespace in which a size-limited tmpfs can be mounted
    "mount_ns": lambda: (_unshare(CLONE_NEWNS) and _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
                         and _mount("tmpfs", "/", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,nr_inodes=16")),
    "net_ns": lambda: _unshare(CLONE_NEWNET),
    "ipc_ns": lambda: _unshare(CLONE_NEWIPC),
    "pid_ns": lambda: _unshare(CLONE_NEWPID),
    "user_ns": lambda: _unshare(CLONE_NEWUSER),
    "seccomp": _probe_seccomp,
}


def probe_walls() -> dict[str, bool]:
    """Which walls this process can put a worker behind: each is tried for real in a throwaway child."""
    if not sys.platform.startswith("linux") or not _load_libc():
        return {name: False for name in WALLS}
    walls = {}
    for name in WALLS:
        pid = os.fork()
        if pid == 0:
            ok = False
            try:
                ok = bool(_PROBES[name]())
            except BaseException:  # noqa: BLE001
                pass
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        walls[name] = os.waitstatus_to_exitcode(status) == 0
    return walls


def zygote_main(ctl_fd: int) -> None:
    try:
        _zygote(ctl_fd)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the grading process went away: nothing to report, nobody to report it to


def _enter_namespaces(walls: dict) -> dict:
    """Move the zygote (and so every worker) into empty network and IPC namespaces and a private mount
    namespace (where workers mount their tmpfs), as far as `walls` allows; the walls actually in place."""
    walls = dict(walls)
    for name, flags in (("net_ns", CLONE_NEWNET), ("ipc_ns", CLONE_NEWIPC)):
        walls[name] = walls[name] and _unshare(flags)
    walls["mount_ns"] = walls["mount_ns"] and _unshare(CLONE_NEWNS) \
        and _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    return walls


def _zygote(ctl_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    libc = _load_libc()
    if libc and hasattr(libc, "prctl"):
        # non-dumpable (and so its workers): a worker of the same user cannot open its /proc/<pid>/mem
        libc.prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE = 0
    walls = _enter_namespaces(probe_walls())   # (probed before NumPy is imported: cheaper forks)
    _compile_seccomp()   # now, while libseccomp can be loaded: a worker installs it after its chroot
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a module missing on this Python is simply not offered
            pass
    ctl = socket.socket(fileno=ctl_fd)
    _load_libc()
    import gc
    _prepare_imports_for_workers()
    gc.collect()
    gc.freeze()  # workers' garbage collections skip (and so do not copy) the zygote's objects
    ctl.sendall(json.dumps(wire.ZygoteHello(os.getpid(), walls).to_plain()).encode())
    children: set[int] = set()
    scratch: dict[int, str] = {}   # pid -> scratch dir, removed here if the grader died first
    statuses: dict[int, int] = {}

    def reap():
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            children.discard(pid)
            statuses[pid] = status
            if len(statuses) > 4096:
                statuses.pop(next(iter(statuses)))

    try:
        while True:
            reap()
            ready, _, _ = select.select([ctl], [], [], 0.5)
            if not ready:
                continue
            try:
                msg, fds, _flags, _addr = socket.recv_fds(ctl, 1 << 16, 4)
            except OSError:
                break
            if not msg:
                break
            request = wire.parse_control(json.loads(msg))
            if type(request) is wire.Fork:
                pid = os.fork()
                if pid == 0:
                    code = 0
                    try:
                        ctl.close()
                        worker_main(fds[0], request.config)
                    except BaseException:  # noqa: BLE001
                        code = 70
                    finally:
                        os._exit(code)
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                scratch[pid] = request.config.scratch or ""
                if len(scratch) > 4096:
                    scratch.pop(next(iter(scratch)))
                ctl.sendall(json.dumps(wire.Forked(pid).to_plain()).encode())
            elif type(request) is wire.Reap:
                pid = request.pid
                if pid in children:
                    try:
                        _, status = os.waitpid(pid, 0)
                        statuses[pid] = status
                    except ChildProcessError:
                        pass
                    children.discard(pid)
                ctl.sendall(json.dumps(wire.Reaped(statuses.pop(pid, None)).to_plain()).encode())
            elif type(request) is wire.KillUid:
                _kill_uid(request.uid)
                ctl.sendall(json.dumps(wire.DONE).encode())
            else:
                for fd in fds:
                    os.close(fd)
                ctl.sendall(json.dumps(wire.UNKNOWN_OP).encode())
    finally:
        for pid in list(children):
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for pid in list(children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        # Leftovers of a grader that died without cleaning up (SIGKILL): the scratch copies of the
        # workers that were still running, and the grader's scratch root if that leaves it empty.
        for pid in children:
            path = scratch.get(pid)
            if path and os.path.basename(os.path.dirname(path)).startswith("autograder-sandbox-"):
                remove_tree(path)
                try:
                    os.rmdir(os.path.dirname(path))
                except OSError:
                    pass
