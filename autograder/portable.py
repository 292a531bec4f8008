"""The portable runner: student code in a spawned process, on Linux, macOS and Windows.

    sub = PortableSubmission("assignments/01_penalties/penalties.py")
    sub.call("l2_gradient", np.ones(3), 0.5)   # as SandboxedSubmission
    sub.close()

The strict sandbox (autograder/sandbox.py) needs Linux: AF_UNIX SOCK_SEQPACKET, fork,
`resource`, `fcntl`. A student's `check` and the notebooks' checks run where the student
works, so where that sandbox is missing they use this runner instead:

- the module runs in its own Python process (subprocess, no fork: it works the same on
  Windows), started ahead of need so its NumPy import overlaps the caller's work
  (autograder/portable_worker.py is that process's side);
- requests and replies are the sandbox's, framed the same way, over the process's
  stdin/stdout pipes; the student side serves them with the sandbox worker's own code, and
  this side decodes them with `protocol.loads(trusted=False)`, so the same plain data,
  statuses and messages come back and every case scores the same (tests/test_portable_runner.py
  proves it on the whole mistake catalogue);
- each call has the same wall-clock time limit: a reader thread feeds the replies to a
  queue read with a timeout (pipes cannot be select()ed on Windows); on a timeout or a
  crash the process (and, on POSIX, its session) is killed and a fresh one serves the next
  call, so only that function loses points;
- rlimits where the system has them (Linux, macOS); none on Windows.

What it does not do: chroot, uid change, network and IPC namespaces. That is why batch
grading (`grade`, Gradescope) never uses it: `require_strict_sandbox()` refuses to grade a
class without the sandbox. It is for a student checking their own code on their own machine.

Selection (`submission_class`): "sandbox", "portable", or "auto" (the sandbox where it is
available, else this runner); the environment variable AUTOGRADER_RUNNER overrides "auto".
"""
from __future__ import annotations

import atexit
import errno
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import transport, wire
from .errors import UsageError
from .framework import StudentImportFailed

PACKAGE_PARENT = Path(__file__).resolve().parent.parent

CALL_TIMEOUT = 2.0          # the sandbox's limits (autograder/sandbox.py), so scores agree
IMPORT_TIMEOUT = 3.0
MEMORY_MB = 512
MAX_REPLY_BYTES = 64 << 20
BOOT_TIMEOUT = 120.0        # a cold NumPy import on a slow laptop (not charged to the student)
RUNNERS = ("auto", "sandbox", "portable")
_CHUNK = 1 << 16
_HEADER_SIZE = 4


class RunnerError(RuntimeError):
    """The runner itself failed (not the student's fault)."""


class UnknownRunner(UsageError, ValueError):
    """A runner name that is not one of RUNNERS."""


_Timeout, _TooBig = transport.Timeout, transport.TooBig

# ============================================================================ which runner
def strict_sandbox_missing() -> str | None:
    """Why the strict sandbox cannot run here (None when it can)."""
    import socket

    if not sys.platform.startswith("linux"):
        return f"the strict sandbox needs Linux (this is {sys.platform})"
    if not hasattr(os, "fork") or not hasattr(socket, "SOCK_SEQPACKET") or not hasattr(socket, "AF_UNIX"):
        return "the strict sandbox needs fork and AF_UNIX SOCK_SEQPACKET sockets"
    try:
        import fcntl  # noqa: F401
        import resource  # noqa: F401
    except ImportError as exc:
        return f"the strict sandbox needs the {exc.name} module"
    return None


def resolve_runner(runner: str | None = "auto") -> str:
    """"sandbox" or "portable" for a requested runner (AUTOGRADER_RUNNER decides an "auto")."""
    runner = runner or "auto"
    if runner == "auto":
        runner = os.environ.get("AUTOGRADER_RUNNER", "").strip().lower() or "auto"
    if runner not in RUNNERS:   # (AUTOGRADER_RUNNER is free text)
        raise UnknownRunner(f"unknown runner {runner!r} (choose one of {', '.join(RUNNERS)})")
    if runner == "auto":
        return "portable" if strict_sandbox_missing() else "sandbox"
    if runner == "sandbox":
        why = strict_sandbox_missing()
        if why:
            raise RunnerError(f"{why}; use the portable runner")
    return runner


def submission_class(runner: str | None = "auto"):
    """The framework.Submission class of a runner (see resolve_runner)."""
    if resolve_runner(runner) == "sandbox":
        from .sandbox import SandboxedSubmission
        return SandboxedSubmission
    return PortableSubmission


def prestart(runner: str | None = "auto") -> None:
    """Start the chosen runner's worker ahead (it imports NumPy while the caller loads the suites)."""
    if resolve_runner(runner) == "sandbox":
        from . import sandbox
        sandbox.prestart()
    else:
        _spare_process()


def require_strict_sandbox(command: str) -> None:
    """For batch grading: raise RunnerError when the strict sandbox is not available here."""
    why = strict_sandbox_missing()
    if why:
        raise RunnerError(f"{command} grades in the strict sandbox only: {why}. Grade on a Linux machine "
                          "(or in a Linux container, or on Gradescope); `check` works here")


# ============================================================================ worker processes
class _Process:
    """A spawned student-side process: the Popen, and a thread moving its replies to a bounded queue."""

    def __init__(self):
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS"):
            env[var] = "1"   # no BLAS threads (the sandbox's workers may not create any)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONSTARTUP", None)
        code = ("import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
                f"sys.path.insert(0, {str(PACKAGE_PARENT)!r}); "
                "from autograder.portable_worker import main; main()")
        options: dict[str, Any] = {}
        if os.name == "posix":
            options["start_new_session"] = True     # killed as a group
        else:
            options["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     cwd=tempfile.gettempdir(), env=env, bufsize=0, **options)
        self.replies: queue.Queue = queue.Queue(maxsize=MAX_REPLY_BYTES // _CHUNK + 4)  # bounded: back-pressure
        self.dead = threading.Event()
        self.owner = os.getpid()
        threading.Thread(target=self._read, name="portable-runner-reader", daemon=True).start()
        self.eof = False           # the reader's end-of-file marker was taken from the queue

    def _read(self) -> None:
        fd = self.proc.stdout.fileno()
        while not self.dead.is_set():
            try:
                chunk = os.read(fd, _CHUNK)
            except OSError:
                chunk = b""
            while not self.dead.is_set():
                try:
                    self.replies.put(chunk, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if not chunk:
                self.proc.stdout.close()   # here, not in kill(): a closed fd number could be reused under this read
                return

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def kill(self) -> int | None:
        """Kill the process (its session on POSIX), close the pipes; its return code."""
        self.dead.set()
        if self.proc.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    self.proc.kill()
            except OSError:
                pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return None


_spare: _Process | None = None
_spare_lock = threading.Lock()


def _spare_process() -> _Process:
    global _spare
    with _spare_lock:
        if _spare is None or not _spare.alive():
            _spare = _Process()
        return _spare


def _take_process() -> _Process:
    """A started process for a submission; the next one starts right away (it boots while this one works)."""
    global _spare
    process = _spare_process()
    with _spare_lock:
        _spare = _Process()
    return process


@atexit.register
def _shutdown() -> None:
    global _spare
    if _spare is not None and _spare.owner == os.getpid():
        _spare.kill()
        _spare = None


# ============================================================================ the submission
class PortableSubmission(transport.WorkerSubmission):
    """framework.Submission whose calls run in a spawned process (see the module docstring).

    Same arguments and attributes as sandbox.SandboxedSubmission (`isolate_user` must be false:
    this runner cannot change uid), plus `show_output`: copy what the module prints to this
    process's stderr as it prints it.
    """

    closed_error = RunnerError

    def __init__(self, module_path, *, module_name: str | None = None, call_timeout: float = CALL_TIMEOUT,
                 import_timeout: float = IMPORT_TIMEOUT, memory_mb: float = MEMORY_MB,
                 max_timeouts_per_function: int = 1, isolate_user: bool | None = None,
                 output_limit: int = 4000, max_reply_bytes: int = MAX_REPLY_BYTES, show_output: bool = False):
        if isolate_user:
            raise RunnerError("the portable runner cannot isolate the user: use the strict sandbox")
        self.module_path = Path(module_path)
        self.module_name = module_name or self.module_path.stem
        self.filename = self.module_name + ".py"
        self.call_timeout = float(call_timeout)
        self.import_timeout = float(import_timeout)
        self.memory = int(memory_mb * (1 << 20))
        self.max_timeouts = int(max_timeouts_per_function)
        self.output_limit = output_limit
        self.max_reply_bytes = max_reply_bytes
        self.show_output = show_output
        self._init_calls()
        self._process: _Process | None = None
        self._scratch: str | None = None
        self._source = self._read_source()

    def _read_source(self) -> bytes | None:
        nofollow = getattr(os, "O_NOFOLLOW", 0)   # (Windows has none: a symlink there is refused below)
        try:
            if not nofollow and self.module_path.is_symlink():
                raise OSError(errno.ELOOP, "symbolic link")
            fd = os.open(self.module_path, os.O_RDONLY | nofollow | getattr(os, "O_BINARY", 0))
            with os.fdopen(fd, "rb") as f:
                return f.read(16 << 20)
        except OSError as exc:
            why = "it is a symbolic link; submit a real file" if exc.errno == errno.ELOOP else exc.strerror or exc
            self._import_failure = StudentImportFailed(f"could not read {self.module_path.name}: {why}")
            return None

    # ------------------------------------------------------------------ public API (the rest: transport)
    @property
    def worker_pid(self) -> int | None:
        return self._process.proc.pid if self._process else None

    # ------------------------------------------------------------------ worker lifecycle
    def _has_worker(self) -> bool:
        return self._process is not None

    def _describe_end(self, code: int | None) -> str:
        return transport.describe_exit(code)

    def _start_worker(self) -> bool:
        process = _take_process()
        self._process = process
        self._rbuf = bytearray()
        try:
            self._recv(time.monotonic() + BOOT_TIMEOUT)     # wire.Booted: NumPy is imported
        except (_Timeout, _TooBig, EOFError, OSError) as exc:
            self._kill_worker()
            raise RunnerError(f"the portable runner's worker did not start ({type(exc).__name__})") from None
        self._scratch = tempfile.mkdtemp(prefix="autograder-portable-")
        target = os.path.join(self._scratch, self.filename)
        with open(target, "xb") as f:
            f.write(self._source)
        return True

    def _import_reply(self, deadline: float) -> None:
        """Send the booted process its submission (the module is imported then), and read the answer."""
        config = wire.WorkerConfig(
            module_name=self.module_name, filename=self.filename, scratch=self._scratch, memory=self.memory,
            output_limit=self.output_limit, fsize=16 << 20, cpu=int(max(60, 20 * self.call_timeout)),
            show_output=self.show_output)
        try:
            # the trusted side's own plain data: JSON, as the sandbox's zygote gets it
            self._send([json.dumps(config.to_plain()).encode()], deadline)
        except _Timeout:
            self._kill_worker()
            return self._import_failed(f"importing {self.filename} took longer than {self.import_timeout:g} s "
                                       "(an infinite loop or a long computation at the top level of the module?)")
        except OSError:
            code = self._kill_worker()
            return self._import_failed(f"{self.filename} ended the worker process while it was being imported: "
                                       f"{transport.describe_exit(code)}")
        return super()._import_reply(deadline)

    def _kill_worker(self, reap: bool = True) -> int | None:
        """Kill the worker process; drop its scratch dir. Its return code (None if there was none).
        (`reap` is the sandbox's choice: here the return code always comes with the kill.)"""
        process, self._process = self._process, None
        self._pending, self._owed = False, 0
        code = process.kill() if process is not None else None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        return code

    # ------------------------------------------------------------------ framing with deadlines
    def _send(self, parts: list, deadline: float) -> None:
        """Write a request; a worker that stops reading (only a hostile one) costs the call's time limit."""
        message = b"".join([len_prefix(sum(map(len, parts))), *parts])
        pipe = self._process.proc.stdin
        if len(message) <= 4096:   # below every system's pipe buffer: an idle worker's pipe takes it at once
            _write_all(pipe, message)
            return
        failure: list[BaseException] = []

        def write() -> None:
            try:
                _write_all(pipe, message)
            except BaseException as exc:  # noqa: BLE001 - reported below
                failure.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(max(0.0, deadline - time.monotonic()))
        if writer.is_alive():
            raise _Timeout
        if failure:
            raise OSError(str(failure[0]))

    def _fill(self, n: int, deadline: float) -> None:
        buf = self._rbuf
        replies = self._process.replies
        while len(buf) < n:
            if self._process.eof:
                raise EOFError
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            try:
                chunk = replies.get(timeout=remaining)
            except queue.Empty:
                raise _Timeout from None
            if not chunk:
                self._process.eof = True
                raise EOFError
            buf += chunk

    def _recv(self, deadline: float, last: bool = True) -> bytes:
        """One framed reply; bytes beyond the last expected reply end the worker (as in the sandbox)."""
        self._fill(_HEADER_SIZE, deadline)
        n = int.from_bytes(self._rbuf[:_HEADER_SIZE], "big")
        if n > self.max_reply_bytes:
            raise _TooBig
        self._fill(_HEADER_SIZE + n, deadline)
        message = bytes(self._rbuf[_HEADER_SIZE:_HEADER_SIZE + n])
        del self._rbuf[:_HEADER_SIZE + n]
        if last:
            try:
                chunk = self._process.replies.get_nowait()
                self._rbuf += chunk
                self._process.eof = not chunk
            except queue.Empty:
                pass
            if self._rbuf:
                raise _TooBig("the worker sent more than it was asked for")
        return message


def _write_all(pipe, data: bytes) -> None:
    """Write everything: an unbuffered pipe's write may take only part of a large message."""
    view = memoryview(data)
    while view:
        view = view[pipe.write(view):]


def len_prefix(n: int) -> bytes:
    """The 4-byte big-endian length that frames every message (autograder.worker.HEADER)."""
    return n.to_bytes(_HEADER_SIZE, "big")
