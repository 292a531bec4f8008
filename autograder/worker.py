"""Student side of the sandbox: a zygote process and the workers it forks.

Nothing here is imported by the student's module, and nothing here imports the
reference solutions or the suites. `autograder.sandbox` (trusted side) starts one
zygote per grading process:

    python -c "...; from autograder.worker import zygote_main; zygote_main(FD)"

The zygote imports NumPy, this module, `autograder.protocol` and the standard-library
modules students plausibly use, then waits on a SOCK_SEQPACKET control socket. For
each submission the trusted side sends {"op": "fork", ...config} together with one
end of a fresh socket pair (SCM_RIGHTS); the zygote forks, and the child becomes a
worker (`worker_main`): own process group, fds closed, scratch copy of the module read,
chroot + unprivileged uid when root, rlimits, output captured, module executed,
then it serves calls until the trusted side closes the socket.

Why our own zygote instead of multiprocessing's "forkserver": the forkserver child
re-imports the parent's __main__ (the benchmark script, pytest's entry point...) and
inherits the resource tracker's fd; this one loads exactly what is listed below.

Wire format on the call socket: 4-byte big-endian length + payload, payloads are
`autograder.protocol` JSON (never pickle). A request (trusted -> worker) is a tuple
(function, [[args, kwargs], ...], inputs, feed, keep): one reply per call, stopping after the
first failure; `inputs` asks for the arguments as they are after each call; a non-empty feed,
[[index, position], ...], gives each call after the first items of the previous call's value
(see protocol.feed_previous), and a non-empty keep, [index, ...], sends back only those items
of the values of all calls but the last (protocol.kept_items);
a call that returns gets the reply ["ok", value], or ["ok", value, args_after, kwargs_after] when
the arguments are asked for; any other reply is a dict with "status": "not_implemented",
"error", "bad_return", "chain_error" or "missing", plus "printed" (the head of what the call
printed).
"""
from __future__ import annotations

import io
import json
import os
try:
    import resource
except ImportError:   # Windows: only the portable runner (autograder/portable_worker.py) imports this module there
    resource = None
import select
import signal
import socket
import struct
import sys
import traceback
import types

from . import protocol

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
def send_msg(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


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


def _reply(sock, record: dict, out: BoundedOutput) -> None:
    record["printed"] = out.text()[:2000]
    try:
        message = frame(protocol.dumps_parts(record))
    except BaseException as exc:  # noqa: BLE001 - the value cannot be encoded
        message = frame(protocol.dumps_parts({"status": "bad_return", "message": _safe_str(exc),
                                              "printed": record["printed"]}))
    sock.sendall(message)


def worker_main(sock_fd: int, cfg: dict) -> None:
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

    module_name = cfg["module_name"]
    filename = cfg["filename"]           # e.g. "penalties.py"
    scratch = cfg["scratch"]
    with open(os.path.join(scratch, filename), "rb") as f:
        source = f.read()

    vm = _vm_size()
    uid, gid = cfg.get("uid"), cfg.get("gid")
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
        (resource.RLIMIT_FSIZE, int(cfg.get("fsize", 16 << 20))),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CPU, int(cfg.get("cpu", 120))),
    ]
    if cfg.get("memory"):
        limits.append((resource.RLIMIT_AS, vm + int(cfg["memory"])))
    for which, value in limits:
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    out = BoundedOutput(int(cfg.get("output_limit", 4000)))
    sys.stdout = sys.stderr = out
    sys.stdin = io.StringIO("")
    if uid is not None:
        sys.path[:] = []   # chrooted: nothing outside the scratch copy could be imported anyway

    module = types.ModuleType(module_name)
    module.__file__ = code_filename
    sys.modules[module_name] = module
    try:
        code = compile(source, code_filename, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f": {exc.text.strip()}" if exc.text else "")
        _reply(sock, {"status": "import_error",
                      "message": f"SyntaxError: {_safe_str(exc.msg)} ({where})"}, out)
        return
    except SystemExit as exc:
        _reply(sock, {"status": "import_error",
                      "message": f"the module called sys.exit({_safe_str(exc.code, 40)}) while being imported"}, out)
        return
    except BaseException as exc:  # noqa: BLE001 - reported to the student
        _reply(sock, {"status": "import_error",
                      "message": f"importing the module raised {type(exc).__name__}: {_safe_str(exc)}",
                      "traceback": _student_traceback(exc, code_filename)}, out)
        return
    functions = sorted(n for n, v in vars(module).items()
                       if isinstance(n, str) and not n.startswith("_") and callable(v))
    _reply(sock, {"status": "ready", "functions": functions}, out)
    _serve(sock, module, code_filename, out)


def _serve(sock, module, code_filename: str, out: BoundedOutput) -> None:
    while True:
        try:
            raw = recv_msg(sock)
        except (EOFError, OSError):
            return
        name, calls, inputs, feed, keep = protocol.loads_request(raw)   # markers already live
        fn = getattr(module, name, None)
        if not callable(fn):
            out.reset()
            _reply(sock, {"status": "missing"}, out)
            continue
        # Several calls (call_many, call_each) get one reply each, and stop at the first call that
        # fails. A chain (a non-empty feed) passes items of each call's value on to the next call.
        previous = _NOTHING
        last = len(calls) - 1
        for k, (args, kwargs) in enumerate(calls):
            args = tuple(args)   # (sent as a list)
            if feed and previous is not _NOTHING:
                try:
                    args, kwargs = protocol.feed_previous(args, kwargs, feed, previous)
                except protocol.ChainError as exc:
                    out.reset()
                    _reply(sock, {"status": "chain_error", "message": _safe_str(exc)}, out)
                    break
            previous = _run_one(sock, fn, args, kwargs, inputs, code_filename, out, keep if k < last else None)
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
        _reply(sock, {"status": "not_implemented"}, out)
        return _NOTHING
    except SystemExit as exc:
        _reply(sock, {"status": "error", "type": "SystemExit",
                      "message": f"called sys.exit({_safe_str(exc.code, 40)})"}, out)
        return _NOTHING
    except BaseException as exc:  # noqa: BLE001 - reported to the student
        _reply(sock, {"status": "error", "type": type(exc).__name__, "message": _safe_str(exc),
                      "traceback": _student_traceback(exc, code_filename)}, out)
        return _NOTHING
    try:
        # a value's reply is a bare list, not a dict with a status: a fraction of the encoding work,
        # on both sides, for the most frequent message (what the call printed is not needed)
        sent = protocol.kept_items(value, keep) if keep else value
        reply = ["ok", sent, protocol.strip_live_objects(args), protocol.strip_live_objects(kwargs)] if inputs \
            else ["ok", sent]
        message = frame(protocol.dumps_parts(reply))
    except BaseException as exc:  # noqa: BLE001 - unsupported type, or a hostile object
        _reply(sock, {"status": "bad_return", "message": _safe_str(exc)}, out)
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


def zygote_main(ctl_fd: int) -> None:
    try:
        _zygote(ctl_fd)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the grading process went away: nothing to report, nobody to report it to


CLONE_NEWNET, CLONE_NEWIPC = 0x40000000, 0x08000000


def _isolate_network() -> bool:
    """As root: move the zygote (and so every worker) into empty network and IPC namespaces."""
    libc = _load_libc()
    return bool(libc) and os.geteuid() == 0 and libc.unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0


def _zygote(ctl_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _isolate_network()  # no network for student code (only a loopback that is down)
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a module missing on this Python is simply not offered
            pass
    ctl = socket.socket(fileno=ctl_fd)
    _load_libc()
    import gc
    import shutil  # used at the very end; imported now, while imports still work
    _prepare_imports_for_workers()
    gc.collect()
    gc.freeze()  # workers' garbage collections skip (and so do not copy) the zygote's objects
    ctl.sendall(json.dumps({"ready": os.getpid()}).encode())
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
            request = json.loads(msg)
            op = request.get("op")
            if op == "fork":
                pid = os.fork()
                if pid == 0:
                    code = 0
                    try:
                        ctl.close()
                        worker_main(fds[0], request)
                    except BaseException:  # noqa: BLE001
                        code = 70
                    finally:
                        os._exit(code)
                for fd in fds:
                    os.close(fd)
                children.add(pid)
                scratch[pid] = request.get("scratch", "")
                if len(scratch) > 4096:
                    scratch.pop(next(iter(scratch)))
                ctl.sendall(json.dumps({"pid": pid}).encode())
            elif op == "reap":
                pid = int(request["pid"])
                if pid in children:
                    try:
                        _, status = os.waitpid(pid, 0)
                        statuses[pid] = status
                    except ChildProcessError:
                        pass
                    children.discard(pid)
                status = statuses.pop(pid, None)
                ctl.sendall(json.dumps({"status": status}).encode())
            elif op == "kill_uid":
                _kill_uid(int(request["uid"]))
                ctl.sendall(b'{"done": true}')
            else:
                for fd in fds:
                    os.close(fd)
                ctl.sendall(b'{"error": "unknown op"}')
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
                shutil.rmtree(path, ignore_errors=True)
                try:
                    os.rmdir(os.path.dirname(path))
                except OSError:
                    pass
