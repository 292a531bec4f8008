"""Student side of the portable runner (autograder/portable.py): one spawned Python process per submission.

Started by the trusted side as

    python -c "...; from autograder.portable_worker import main; main()"

with its stdin and stdout as the two ends of the call channel. It keeps those two file
descriptors for the protocol and points fds 0, 1 and 2 at the null device, so nothing the
student's code (or a C library) prints can corrupt a message. It imports NumPy and the
modules a student module plausibly uses (autograder.worker.PRELOAD), says "booted", then
waits for its one submission (a wire.WorkerConfig). It imports the module and serves calls with
the sandbox worker's own code (autograder.worker.import_module and _serve), so requests,
replies and student-facing messages are those of the sandbox, byte for byte.

Limits: the per-call time limit is enforced by the trusted side (it kills this process);
where the `resource` module exists (Linux, macOS) the sandbox's rlimits are applied too
(memory only where the address space can be measured, i.e. Linux). Windows has neither:
there the time limit and the separate process are the isolation.
"""
from __future__ import annotations

import io
import json
import os
import sys


class PipeChannel:
    """The socket methods autograder.worker uses (recv_into, recv, sendall), over two pipe fds."""

    def __init__(self, read_fd: int, write_fd: int):
        self._r = open(read_fd, "rb", buffering=0)
        self._w = open(write_fd, "wb", buffering=0)

    def recv_into(self, buffer, nbytes: int = 0) -> int:
        view = memoryview(buffer).cast("B")
        if nbytes:
            view = view[:nbytes]
        return self._r.readinto(view) or 0

    def recv(self, n: int) -> bytes:
        return self._r.read(n) or b""

    def sendall(self, data) -> None:
        view = memoryview(data).cast("B")
        while view:
            written = self._w.write(view)
            view = view[written:]


def _take_stdio() -> tuple[PipeChannel, int]:
    """The protocol channel (duplicates of fds 0 and 1), and a duplicate of the inherited stderr."""
    channel = PipeChannel(os.dup(0), os.dup(1))
    terminal = os.dup(2)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdin = io.StringIO("")
    sys.stdout = sys.stderr = io.StringIO()
    return channel, terminal


def _send(channel: PipeChannel, message) -> None:
    from .protocol import dumps_parts
    from .worker import frame

    channel.sendall(frame(dumps_parts(message.to_plain())))


def _apply_limits(cfg) -> None:
    """The sandbox worker's rlimits, where this system has them (see the module docstring)."""
    from . import worker

    resource = worker.resource
    if resource is None:
        return
    vm = worker._vm_size()
    limits = [("RLIMIT_CORE", 0), ("RLIMIT_FSIZE", int(cfg.fsize)), ("RLIMIT_NOFILE", 64),
              ("RLIMIT_CPU", int(cfg.cpu))]
    if sys.platform.startswith("linux"):
        limits.append(("RLIMIT_NPROC", 0))   # no fork, no threads (a non-root uid; as in the sandbox)
    if cfg.memory and vm:
        limits.append(("RLIMIT_AS", vm + int(cfg.memory)))
    worker.set_limits([(getattr(resource, name), value) for name, value in limits if hasattr(resource, name)])


def _output(cfg, terminal: int):
    """What the module's print() writes to: the sandbox's bounded buffer, also copied to the terminal
    when the student asked to see their output (check --show-output)."""
    from .worker import BoundedOutput

    out = BoundedOutput(int(cfg.output_limit))
    if not cfg.show_output:
        return out
    stream = open(terminal, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    write = out.write

    def tee(s) -> int:
        stream.write(str(s))
        return write(s)

    out.write = tee
    return out


def main() -> None:
    channel, terminal = _take_stdio()
    from . import wire, worker

    for name in worker.PRELOAD:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a module missing on this Python is simply not offered
            pass
    worker._prepare_imports_for_workers()
    _send(channel, wire.Booted())
    try:
        cfg = wire.WorkerConfig.from_plain(json.loads(bytes(worker.recv_msg(channel))))
    except (EOFError, OSError, ValueError):
        return   # the trusted side went away (an unused spare): nothing to do
    os.chdir(cfg.scratch)
    _apply_limits(cfg)
    out = _output(cfg, terminal)
    sys.stdout = sys.stderr = out
    code_filename = os.path.join(cfg.scratch, cfg.filename)
    with open(code_filename, "rb") as f:
        source = f.read()
    module = worker.import_module(channel, cfg.module_name, source, code_filename, out)
    if module is not None:
        worker._serve(channel, module, code_filename, out)
