"""Trusted side of the sandbox: `SandboxedSubmission` runs a student module in a worker process.

    sub = SandboxedSubmission("submitted/alice/01_penalties/penalties.py")
    sub.call("l2_gradient", np.ones(3), 0.5)   # -> decoded plain data, or a StudentProblem
    sub.close()

How a submission is isolated (see autograder/worker.py for the student side):
- the module runs in a process forked from a zygote that has imported NumPy and the
  stdlib but nothing of the reference solutions or the suites; only the module file is
  loaded (from a scratch copy, never in place; a conftest.py or any other file of the
  submission is never read);
- when the grader runs as root, the worker chroots into its scratch directory and
  becomes an unprivileged uid of its own (60000 + n, leased with a lock file, so two
  concurrent workers never share a uid), so it cannot see solutions/, the suites,
  other students' files, the output folder, or signal the grader; the zygote (and so
  every worker) also lives in empty network and IPC namespaces: no network at all, and
  each worker's scratch folder is a tmpfs of its own limited in bytes and files (without
  CAP_SYS_ADMIN, as in Docker's default capability set: no namespaces, and a read-only scratch);
- with or without root, a seccomp filter (worker.SECCOMP_BLOCKED) refuses sockets, System V
  IPC, memfd, new processes, exec, ptrace, mounts, namespaces...; student code gets an
  allowlisted environment (worker.WORKER_ENV) and no descriptor but its socket. Which of these
  walls hold here is probed for real (probe_walls) and reported (isolation, isolation_lines);
  `require` makes a missing one an error instead of a silent weakening;
- rlimits: address space (memory), no new processes or threads (RLIMIT_NPROC = 0),
  file size, CPU seconds, open files, no core dumps; stdout/stderr are captured in a
  bounded buffer and fds 1/2 go to /dev/null;
- each call has a wall-clock time limit enforced here, and the whole submission a budget
  (`submission_timeout`: the calls left when it is used up are not run, "not graded for time");
  on a timeout or a crash the worker's process group (and, as root, every process of its
  uid) is SIGKILLed and a fresh worker is started for the next call, so only that function loses points; a
  function that timed out is not run again (`max_timeouts_per_function`), nor one that ran
  out of memory (its worker is replaced: the heap it filled is not reused);
- `call_many(function, calls)` sends many calls in one message and reads one reply per
  call (same per-call time limit, stops at the first failure): half the cost per call;
  `call_each(function, calls, then)` does the same with a check (`then`) run on each reply
  as it arrives, so a suite's loop of call-then-check keeps its exact order and first
  failure (after a check that fails, the calls the loop would not have made are not counted:
  their replies are thrown away if they come within DRAIN_SECONDS, else the worker is ended);
  `call_chain(function, calls, feed, then)` also runs in one message, the worker passing each
  value on to the next call (an optimizer's trajectory);
- only plain data comes back: replies are decoded with `protocol.loads(trusted=False)`,
  bounded in bytes, items (counted before parsing) and depth, the decoding counted in the
  call's time, and every failure becomes one of framework's StudentProblem
  exceptions with a message meant for the student.

Without root (a student's own machine) the same process isolation, seccomp filter, limits
and time limits apply, without chroot, uid change, namespaces or tmpfs (`grade` calls that
level "weak" and refuses it unless told otherwise).
"""
from __future__ import annotations

import atexit
import errno
import fcntl
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import transport, wire, worker
from .framework import StudentImportFailed, StudentTimeout
from .worker import HEADER

REPO_ROOT = Path(__file__).resolve().parent.parent

CALL_TIMEOUT = 2.0          # seconds of wall-clock time per call
SUBMISSION_TIMEOUT = 60.0   # seconds of wall-clock time for all the calls of one submission together
SCRATCH_MB = 16             # size of a worker's scratch tmpfs (as root, where mounts are allowed)
SCRATCH_FILES = 1000        # files and folders it may hold (its inodes)
IMPORT_TIMEOUT = 3.0        # seconds to import the module
MEMORY_MB = 512             # address space a worker may add to what NumPy already maps
MAX_REPLY_BYTES = 64 << 20  # a reply larger than this is refused
DRAIN_SECONDS = transport.DRAIN_SECONDS
UID_BASE, UID_COUNT = 60000, 2000
UID_LOCK_DIR = Path(os.environ.get("AUTOGRADER_UID_LOCK_DIR", "/tmp/.autograder-uids"))


_CHUNK = bytearray(1 << 16)
_CHUNK_VIEW = memoryview(_CHUNK)


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's fault)."""


_Timeout, _TooBig = transport.Timeout, transport.TooBig

# ============================================================================ the zygote
def _hide_this_process() -> None:
    """A process that starts workers holds what they must not see (its environment, descriptors,
    memory): made non-dumpable, its /proc entries belong to root, so a worker that runs as the same
    user (no root: no uid switch) cannot read them."""
    prctl = getattr(worker._load_libc() or None, "prctl", None)   # (Linux only)
    if prctl is not None:
        prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE = 0 (a fork inherits it; an exec resets it)


class _Zygote:
    """One per grading process: a small root process that forks workers on request."""

    def __init__(self):
        _hide_this_process()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # An allowlisted environment (no BLAS threads: workers may not create threads), nothing of the
        # grader's (tokens...): -I ignores PYTHON* variables, and this process's import path goes by argv.
        path = [p for p in sys.path if p not in ("", ".")]
        code = ("import sys, json; sys.path[:] = json.loads(sys.argv[2]); "
                "from autograder.worker import zygote_main; zygote_main(int(sys.argv[1]))")
        self.proc = subprocess.Popen([sys.executable, "-I", "-B", "-c", code, str(theirs.fileno()),
                                     json.dumps([str(REPO_ROOT), *path])],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                     cwd="/", env=dict(worker.WORKER_ENV), start_new_session=True)
        theirs.close()
        self.sock = ours
        self.owner = os.getpid()
        self.adopted = False      # started by the parent of this process (see adopt_zygote)
        self.lock = threading.Lock()
        self.ready = False
        self._walls: dict[str, bool] = {}

    def alive(self) -> bool:
        if self.owner != os.getpid():
            return False
        if self.adopted:   # not our child (poll() cannot tell): a zygote that ended closed its socket
            try:
                return self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
            except BlockingIOError:
                return True
            except OSError:
                return False
        return self.proc.poll() is None

    def _recv(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            raise SandboxError("the sandbox zygote did not answer")
        data = self.sock.recv(1 << 16)
        if not data:
            raise SandboxError("the sandbox zygote exited")
        return json.loads(data)

    def _wait_ready(self) -> None:
        if not self.ready:
            walls = wire.ZygoteHello.from_plain(self._recv(60.0)).walls
            self._walls = {w: walls.get(w) is True for w in worker.WALLS} if walls is not None else {}
            self.ready = True

    @property
    def walls(self) -> dict[str, bool]:
        """The walls this zygote's workers are put behind (what it probed and entered at start)."""
        with self.lock:
            self._wait_ready()
            return dict(self._walls)

    def request(self, message, fds=(), timeout: float = 30.0) -> dict:
        """Send a control message (wire.Fork, wire.Reap, wire.KillUid); the zygote's answer as plain data."""
        with self.lock:
            self._wait_ready()
            socket.send_fds(self.sock, [json.dumps(message.to_plain()).encode()], list(fds))
            return self._recv(timeout)

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            if self.owner == os.getpid() and not self.adopted:   # (an adopted one is its starter's child)
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def get_zygote() -> _Zygote:
    """The zygote of this process, started (or restarted, if it died) on demand."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            if _zygote is not None and _zygote.owner == os.getpid():
                try:
                    _zygote.close()
                except Exception:  # noqa: BLE001
                    pass
            _zygote = _Zygote()
        return _zygote


def prestart() -> None:
    """Start the zygote now (it imports NumPy in parallel with whatever the caller does next)."""
    get_zygote()


def start_zygotes(n: int) -> list[_Zygote]:
    """Zygotes started ahead by a batch's main process, one per grading process it will fork (each
    adopts one: adopt_zygote), so they boot while the main process prepares the batch.

    After forking the grading processes, the main process calls release_zygotes: then each zygote
    ends when its grading process does (its control socket closes), as a zygote of its own would.
    """
    return [_Zygote() for _ in range(n)]


def adopt_zygote(zygotes: list[_Zygote], index: int, cpu: int | None = None) -> None:
    """In a grading process forked after start_zygotes: zygotes[index] becomes this process's zygote
    (pinned to `cpu`, as this process is, so its workers run there too). This process's copies of
    the other zygotes' sockets are closed: each zygote must see its own grader go away."""
    global _zygote
    for i, z in enumerate(zygotes):
        if i != index:
            z.sock.close()
    z = zygotes[index]
    z.owner, z.adopted = os.getpid(), True
    if cpu is not None:
        try:
            os.sched_setaffinity(z.proc.pid, {cpu})
        except OSError:
            pass
    with _zygote_lock:
        _zygote = z


def release_zygotes(zygotes: list[_Zygote]) -> None:
    """In the main process, once the grading processes are forked: drop its copies of the sockets."""
    for z in zygotes:
        z.sock.close()


def reap_zygotes(zygotes: list[_Zygote], timeout: float = 5.0) -> None:
    """In the main process, after the grading processes ended: wait for the zygotes (kill stragglers)."""
    for z in zygotes:
        z.sock.close()
        try:
            z.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            z.proc.kill()
            z.proc.wait()


@atexit.register
def _shutdown() -> None:
    global _zygote
    if _zygote is not None and _zygote.owner == os.getpid():
        _zygote.close()
        _zygote = None
    if _scratch_root is not None and _scratch_root[1] == os.getpid():
        worker.remove_tree(_scratch_root[0])


def _after_fork_in_child() -> None:
    """A forked grader must not share its parent's zygote, uid leases or scratch root."""
    global _zygote, _scratch_root
    if _zygote is not None:
        try:
            _zygote.sock.close()  # only our copy of the fd: the parent keeps its zygote
        except OSError:
            pass
        _zygote = None
    for lease in _free_leases:
        try:
            os.close(lease.fd)
        except OSError:
            pass
    _free_leases.clear()
    _scratch_root = None


os.register_at_fork(after_in_child=_after_fork_in_child)


# ============================================================================ isolation level
# What must hold for a grading server, and which walls hold it (any one of the alternatives).
GUARANTEES = {
    "network": ("no network and no host sockets", (("net_ns",), ("seccomp",))),
    # (abstract unix sockets belong to the network namespace)
    "ipc": ("no System V IPC, message queues or host sockets shared", (("ipc_ns", "net_ns"), ("seccomp",))),
    "files": ("only its own scratch folder visible, as a uid of its own", (("uid", "chroot"),)),
    "disk": ("scratch space bounded (bytes and files)", (("uid", "chroot", "mount_ns"), ("uid", "chroot"))),
    "processes": ("no new processes or threads", (("seccomp",), ("uid",))),
    "memory": ("no memory outside its limit (memfd, shared memory)", (("seccomp",),)),
}
REQUIRED = ("network", "ipc", "files", "disk", "memory")
_WALL_WORDS = {
    "uid": "uid switch      ", "chroot": "chroot          ", "mount_ns": "mount namespace ",
    "net_ns": "net namespace   ", "ipc_ns": "IPC namespace   ", "pid_ns": "PID namespace   ",
    "user_ns": "user namespace  ", "seccomp": "seccomp filter  ",
}
_WALL_USE = {
    "uid": "each worker runs as an unprivileged uid of its own",
    "chroot": "a worker sees only its scratch folder",
    "mount_ns": "scratch is a tmpfs of the worker's own, limited in bytes and files",
    "net_ns": "workers live in an empty network namespace",
    "ipc_ns": "workers live in an IPC namespace of their own",
    "pid_ns": "not needed: workers cannot start processes",
    "user_ns": "not needed",
    "seccomp": "no sockets, SysV IPC, memfd, processes, ptrace, mounts, namespaces, keys, BPF",
}


def isolation(walls: dict[str, bool]) -> dict:
    """The isolation level that `walls` give: {"level": "full" | "reduced" | "weak", "walls": [...],
    "guarantees": {name: held by}, "missing": [required guarantees that no wall holds]}.
    "reduced": every guarantee holds, some through a fallback wall (seccomp instead of namespaces, a
    read-only scratch instead of a tmpfs): what a container without CAP_SYS_ADMIN gets."""
    held = {}
    for name, (_, options) in GUARANTEES.items():
        holding = ["+".join(option) for option in options if all(walls.get(w) for w in option)]
        if holding:
            held[name] = " and ".join(holding)
    missing = [g for g in REQUIRED if g not in held]
    used = ("uid", "chroot", "mount_ns", "net_ns", "ipc_ns", "seccomp")
    level = "weak" if missing else "full" if all(walls.get(w) for w in used) else "reduced"
    return {"level": level, "walls": sorted(w for w in worker.WALLS if walls.get(w)), "guarantees": held,
            "missing": missing}


def isolation_lines(walls: dict[str, bool]) -> list[str]:
    """What `grade` prints at start: one line per wall, one per guarantee, then the level."""
    lines = []
    for w in worker.WALLS:
        state = "on " if walls.get(w) else "off"
        use = _WALL_USE[w] if walls.get(w) or w in ("pid_ns", "user_ns") else "not available here"
        lines.append(f"isolation: {_WALL_WORDS[w]}{state}  {use}")
    report = isolation(walls)
    for name, (what, _) in GUARANTEES.items():
        by = report["guarantees"].get(name)
        if name == "disk" and by == "uid+chroot":
            by += " (scratch is read-only: no tmpfs can be mounted here)"
        elif name == "disk" and by:
            by = "uid+chroot+mount_ns (a tmpfs per worker)"
        lines.append(f"isolation: {name:9s} {'held by ' + by if by else 'NOT HELD'}: {what}")
    lines.append(f"isolation level: {report['level']}"
                 + (f" (missing: {', '.join(report['missing'])})" if report["missing"] else ""))
    return lines


def probe_walls() -> dict[str, bool]:
    """The walls a worker started from this process would be put behind (probed for real)."""
    return worker.probe_walls()


# ============================================================================ uids and scratch dirs
class _UidLease:
    def __init__(self, uid: int, fd: int):
        self.uid, self.fd = uid, fd


_free_leases: list[_UidLease] = []


def _acquire_uid() -> _UidLease:
    """An unprivileged uid no other live grader uses (flock on a file per uid; released on death)."""
    if _free_leases:
        return _free_leases.pop()
    UID_LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    for uid in range(UID_BASE, UID_BASE + UID_COUNT):
        fd = os.open(UID_LOCK_DIR / str(uid), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        get_zygote().request(wire.KillUid(uid))  # leftovers of a dead grader, if any
        return _UidLease(uid, fd)
    raise SandboxError("no free sandbox uid")


def _release_uid(lease: _UidLease) -> None:
    _free_leases.append(lease)


_scratch_root: tuple[str, int] | None = None


def scratch_root() -> str:
    global _scratch_root
    if _scratch_root is None or _scratch_root[1] != os.getpid() or not os.path.isdir(_scratch_root[0]):
        _scratch_root = (tempfile.mkdtemp(prefix="autograder-sandbox-"), os.getpid())
        os.chmod(_scratch_root[0], 0o700)
    return _scratch_root[0]


def describe_status(status: int | None) -> str:
    """A student-readable account of how a worker process ended, from its wait status."""
    return transport.describe_exit(None if status is None else os.waitstatus_to_exitcode(status))


# ============================================================================ the submission
class SandboxedSubmission(transport.WorkerSubmission):
    """framework.Submission whose calls run in a sandboxed worker (see the module docstring).

    Arguments: `module_path` (the student's file; it is copied, never run in place),
    `module_name` (default: the file's stem), `call_timeout` and `import_timeout` in
    seconds, `memory_mb`, `max_timeouts_per_function` (after that many timeouts a
    function is not run again and its later calls count as timeouts), `isolate_user`
    (chroot + unprivileged uid; default: when running as root), `submission_timeout` (seconds of
    wall-clock time for the whole submission: once used up, the remaining calls are not run and
    report it), `scratch_mb` / `scratch_files` (the worker's scratch tmpfs, where one can be
    mounted), `require` (names of GUARANTEES: a SandboxError if the walls here do not hold them).
    Attributes for reports: `events` (timeouts, crashes, restarts), `import_printed`.
    """

    closed_error = SandboxError

    def __init__(self, module_path, *, module_name: str | None = None, call_timeout: float = CALL_TIMEOUT,
                 import_timeout: float = IMPORT_TIMEOUT, memory_mb: float = MEMORY_MB,
                 max_timeouts_per_function: int = 1, isolate_user: bool | None = None,
                 output_limit: int = 4000, max_reply_bytes: int = MAX_REPLY_BYTES,
                 submission_timeout: float = SUBMISSION_TIMEOUT, scratch_mb: float = SCRATCH_MB,
                 scratch_files: int = SCRATCH_FILES, require: tuple = ()):
        self.module_path = Path(module_path)
        self.module_name = module_name or self.module_path.stem
        self.filename = self.module_name + ".py"
        self.call_timeout = float(call_timeout)
        self.import_timeout = float(import_timeout)
        self.memory = int(memory_mb * (1 << 20))
        self.max_timeouts = int(max_timeouts_per_function)
        self.isolate_user = (os.geteuid() == 0) if isolate_user is None else bool(isolate_user)
        if self.isolate_user and os.geteuid() != 0:
            raise SandboxError("isolate_user needs root")
        self.output_limit = output_limit
        self.max_reply_bytes = max_reply_bytes
        self.submission_timeout = float(submission_timeout)
        self.scratch_quota = {"bytes": int(scratch_mb * (1 << 20)), "inodes": int(scratch_files)}
        self.require = tuple(require)   # GUARANTEES the walls must hold, else SandboxError
        self._budget_end: float | None = None   # set when the first worker starts
        self._init_calls()
        self._pid: int | None = None
        self._sock: socket.socket | None = None
        self._scratch: str | None = None
        self._lease: _UidLease | None = None
        try:
            # O_NOFOLLOW: a submitted symlink (to solutions/, say) is not followed by the grader
            fd = os.open(self.module_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as f:
                self._source = f.read(16 << 20)
        except OSError as exc:
            self._source = None
            why = "it is a symbolic link; submit a real file" if exc.errno == errno.ELOOP else exc.strerror or exc
            self._import_failure = StudentImportFailed(f"could not read {self.module_path.name}: {why}")
        if self.isolate_user:
            self._lease = _acquire_uid()

    # ------------------------------------------------------------------ public API (the rest: transport)
    @property
    def uid(self) -> int | None:
        return self._lease.uid if self._lease else None

    @property
    def worker_pid(self) -> int | None:
        return self._pid

    def close(self) -> None:
        if self._closed:
            return
        super().close()
        if self._lease is not None:
            _release_uid(self._lease)
            self._lease = None

    # ------------------------------------------------------------------ the submission's time budget
    def _deadline(self, seconds: float) -> float:
        """When the next wait ends: `seconds` from now, or sooner when the submission's budget ends."""
        now = time.monotonic()
        if self._budget_end is None:
            self._budget_end = now + self.submission_timeout
        return min(now + seconds, self._budget_end)

    def _check_budget(self, function: str) -> None:
        if self._budget_end is not None and time.monotonic() >= self._budget_end:
            raise self._over_budget(function)

    def _timed_out(self, function: str) -> Exception:
        if time.monotonic() >= self._budget_end:
            self.events.append(f"{function}: submission time budget used up")
            return self._over_budget(function)
        return super()._timed_out(function)

    def _over_budget(self, function: str) -> StudentTimeout:
        return StudentTimeout(f"{function}() was not graded for time: this submission used up its time budget "
                              f"({self.submission_timeout:g} s for all its functions together; each call "
                              f"may take {self.call_timeout:g} s)")

    # ------------------------------------------------------------------ worker lifecycle
    def _has_worker(self) -> bool:
        return self._sock is not None

    def _describe_end(self, status: int | None) -> str:
        return describe_status(status)

    def _start_worker(self) -> bool:
        zygote = get_zygote()
        walls = zygote.walls
        weak = [g for g in self.require if g not in isolation(walls)["guarantees"]]
        if weak:
            raise SandboxError(f"the sandbox cannot hold what grading requires here: {', '.join(weak)}")
        self._scratch = tempfile.mkdtemp(prefix="w-", dir=scratch_root())  # fresh each start
        target = os.path.join(self._scratch, self.filename)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(self._source)
        walled = {}
        if self._lease is not None:
            uid = self._lease.uid
            walled.update(uid=uid, gid=uid)
            if walls.get("mount_ns"):
                walled["tmpfs"] = self.scratch_quota   # the worker mounts it over the scratch folder
            else:   # no tmpfs quota possible: a scratch the worker can read but not write
                os.chmod(target, 0o644)
                os.chmod(self._scratch, 0o755)
        config = wire.WorkerConfig(
            module_name=self.module_name, filename=self.filename, scratch=self._scratch, memory=self.memory,
            output_limit=self.output_limit, fsize=min(16 << 20, self.scratch_quota["bytes"]),
            cpu=int(max(60, 20 * self.call_timeout)), seccomp=bool(walls.get("seccomp")), **walled)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            reply = zygote.request(wire.Fork(config), fds=[theirs.fileno()])
        finally:
            theirs.close()
        self._pid, self._sock = wire.Forked.from_plain(reply).pid, ours
        self._rbuf = bytearray()
        return True

    def _kill_worker(self, reap: bool = True) -> int | None:
        """SIGKILL the worker's process group (and, as root, its uid); drop its scratch dir."""
        status = None
        pid, sock = self._pid, self._sock
        self._pid, self._sock = None, None
        self._pending, self._owed = False, 0
        if pid is not None:
            # Kill before closing the socket: a worker that saw EOF could exit and be reaped
            # first, and its pid (its process group id) could then belong to someone else.
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if sock is not None:
            sock.close()
        if pid is not None:
            zygote = get_zygote()
            if self._lease is not None and (reap or self.events):
                # After a timeout or crash (or at the end of a troubled submission): every process
                # of the uid. RLIMIT_NPROC = 0 already keeps the worker from having children.
                zygote.request(wire.KillUid(self._lease.uid))
            if reap:
                status = wire.Reaped.from_plain(zygote.request(wire.Reap(pid))).status
        if self._scratch is not None:
            worker.remove_tree(self._scratch)
            self._scratch = None
        return status

    # ------------------------------------------------------------------ framing with deadlines
    def _send(self, parts: list, deadline: float) -> None:
        message = b"".join([HEADER.pack(sum(map(len, parts))), *parts])
        if len(message) <= 1 << 16:
            # The worker has read every earlier request (it answered them), so the socket's send
            # buffer is empty and a small message cannot block: a plain blocking send is safe.
            self._sock.sendall(message)
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout
        self._sock.settimeout(remaining)
        try:
            self._sock.sendall(message)
        except socket.timeout:
            raise _Timeout from None
        finally:
            self._sock.settimeout(None)

    def _wait_readable(self, deadline: float) -> None:
        """Return when the worker has bytes for us; raise _Timeout once the deadline passes."""
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self._sock], [], [], remaining)[0]:
            raise _Timeout

    def _fill(self, buf: bytearray, n: int, deadline: float) -> None:
        """Read from the worker until `buf` holds at least n bytes, or the deadline passes."""
        while len(buf) < n:
            self._wait_readable(deadline)
            got = self._sock.recv_into(_CHUNK)   # into a reusable buffer: no 64 KB allocation per read
            if not got:
                raise EOFError
            buf += _CHUNK_VIEW[:got]

    def _recv(self, deadline: float, last: bool = True) -> bytes:
        # The worker sends only what was asked (one reply per call of the request), so bytes
        # left over after the last expected reply are a protocol violation that ends the worker.
        buf = self._rbuf
        self._fill(buf, HEADER.size, deadline)
        (n,) = HEADER.unpack_from(buf)
        if n > self.max_reply_bytes:
            raise _TooBig
        end = HEADER.size + n
        if len(buf) >= end:
            message = bytes(memoryview(buf)[HEADER.size:end])
            del buf[:end]
        else:
            # A large reply: read the rest straight into a buffer of its size (no growing
            # bytearray, no copy per chunk); nothing after it is read, so nothing is left over.
            message = bytearray(n)
            view = memoryview(message)
            pos = len(buf) - HEADER.size
            view[:pos] = memoryview(buf)[HEADER.size:]
            del buf[:]
            while pos < n:
                self._wait_readable(deadline)
                got = self._sock.recv_into(view[pos:], n - pos)
                if not got:
                    raise EOFError
                pos += got
            view.release()
            if last:
                try:   # what the buffered read above would have seen: bytes beyond the last reply
                    buf += self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
                except OSError:    # nothing there (EAGAIN), or a reset the next call will report
                    pass
        if last and buf:
            raise _TooBig("the worker sent more than it was asked for")
        return message
