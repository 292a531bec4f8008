"""The trusted side of a worker connection, shared by the two runners.

autograder.sandbox.SandboxedSubmission (a forked, walled worker on a socket) and
autograder.portable.PortableSubmission (a spawned process on two pipes) differ in how a worker
is started, killed and talked to: the bytes of one framed message, with a deadline (`_send`,
`_recv`). Everything above that is here, once: the public call methods, the batch loop that
reads one reply per call, the rules for checks that fail mid-batch, the import handshake, and
what each reply (autograder.wire) means for the student (the framework's StudentProblem
exceptions).
"""
from __future__ import annotations

import signal
import time
from typing import Any

from . import framework, protocol, wire
from .framework import BadReturn, NotImplementedYet, StudentCrashed, StudentImportFailed, StudentRaised, \
    StudentTimeout

DRAIN_SECONDS = 0.015   # replies after a failed check are read if they come this fast (see call_each)


_ENDED_BY = {
    "SIGKILL": "killed (time or memory limit)",
    "SIGSEGV": "crashed with a segmentation fault",
    "SIGXCPU": "killed after using too much CPU time",
    "SIGXFSZ": "killed for writing a file that is too large",
    "SIGABRT": "aborted",
    "SIGSYS": "stopped for a system call the sandbox forbids",
}


def describe_exit(code: int | None) -> str:
    """A student-readable account of how a worker process ended, from its exit code (negative: the
    signal that ended it; None: it ended, how is not known). Both runners use these words."""
    if code is None:
        return "it ended"
    if code >= 0:
        return f"the process exited with code {code} (os._exit or sys.exit outside a function?)"
    sig = -code
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    return f"the process was {_ENDED_BY.get(name, 'killed')} ({name})"


class Timeout(Exception):
    """A deadline passed while waiting on the worker."""


class TooBig(Exception):
    """The worker sent more than allowed: a reply over the size limit (no args), or bytes nobody asked
    for (args: what to tell the student)."""


class WorkerSubmission(framework.Submission):
    """framework.Submission over a worker process that speaks autograder.wire.

    A subclass sets `memory`, `call_timeout`, `import_timeout`, `max_timeouts`, `max_reply_bytes`,
    `filename`, calls `_init_calls()` in its __init__, and provides:
      _has_worker() -> bool        whether a worker is running (else the next call starts one)
      _start_worker() -> bool      start a worker and send it the module (False: _import_failure set)
      _send(parts, deadline)       one request (protocol.dumps_parts pieces, not yet framed)
      _recv(deadline, last) -> bytes   one framed reply; with last, bytes after it raise TooBig
      _kill_worker(reap=True)      end the worker; its exit status when reaped
      _describe_end(status) -> str     how the worker ended, for the student
    and may override _deadline, _check_budget and _timed_out (the sandbox's per-submission budget).
    """

    closed_error: type = RuntimeError   # raised by a call after close()

    def _init_calls(self) -> None:
        self.events: list[str] = []     # timeouts, crashes, restarts (for reports)
        self.import_printed = ""
        self._timeouts: dict[str, int] = {}
        self._out_of_memory: set[str] = set()   # functions that raised MemoryError: not run again
        self._functions: set[str] | None = None
        self._import_failure: StudentImportFailed | None = None
        self._closed = False
        self._rbuf = bytearray()
        self._pending = False     # replies of the current request not read yet (see call_each)
        self._owed = 0            # how many

    # ------------------------------------------------------------------ public API
    def import_error(self) -> StudentImportFailed | None:
        """The import failure of the module (starting the worker if needed), or None."""
        self._ensure_worker()
        return self._import_failure

    def has_function(self, function: str) -> bool:
        self._ensure_worker()
        return self._import_failure is None and function in (self._functions or ())

    def functions(self) -> list[str]:
        self._ensure_worker()
        return sorted(self._functions or ())

    def call(self, function: str, *args, **kwargs) -> Any:
        return self._exchange(function, [(args, kwargs)], inputs=False)[0][0]

    def call_with_inputs(self, function: str, *args, **kwargs) -> tuple[Any, tuple, dict]:
        return self._exchange(function, [(args, kwargs)], inputs=True)[0]

    def call_many(self, function: str, calls) -> list:
        """Many calls of one function in one message; the worker answers each as it finishes.

        Same results and errors as calling one by one (the first call that fails raises,
        and the later ones are not run), with the same time limit per call, but without
        a round trip per call: use it for Monte Carlo loops of hundreds of calls.
        """
        calls = [framework.as_call(c) for c in calls]
        if not calls:
            return []
        return [value for value, _, _ in self._exchange(function, calls, inputs=False)]

    def call_each(self, function: str, calls, then, *, inputs: bool = False) -> list:
        """framework.Submission.call_each in one message: the worker runs the calls one after the
        other and `then` checks each result as it arrives. When a check raises before the last
        result, the results of the later calls (which the loop would not have made) must not
        count, nor any time limit they would hit: they are read and thrown away if they all come
        within DRAIN_SECONDS, else the worker is ended without a trace and the next call starts a
        fresh one (which costs more: ~5 ms of CPU to start it).
        """
        return self._checked_in_turn(function, calls, then, inputs=inputs)

    def call_chain(self, function: str, calls, feed, then, *, keep=()) -> list:
        """framework.Submission.call_chain in one message: the worker passes each value on to the next
        call itself (the live object, as in the student's own loop), and `then` checks each value as
        it arrives, with call_each's rules for a check that fails."""
        return self._checked_in_turn(function, calls, then, inputs=False, feed=protocol.check_feed(feed),
                                     keep=protocol.check_keep(keep))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._kill_worker(reap=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    # ------------------------------------------------------------------ calls
    def _checked_in_turn(self, function: str, calls, then, *, inputs: bool, feed=None, keep=None) -> list:
        calls = [framework.as_call(c) for c in calls]
        if not calls:
            return []
        out = []
        replies = self._exchange_lazy(function, wire.CallRequest(function, calls, inputs, feed or [], keep or []))
        try:
            for value in replies:
                out.append(then(value if inputs else value[0]))
        finally:
            replies.close()
            if self._pending:   # a check raised while the worker still owed replies
                self._drain_or_end()
        return out

    def _drain_or_end(self) -> None:
        """Throw away the replies the worker still owes if they come within DRAIN_SECONDS (the worker
        then serves the next call); otherwise, or on anything unexpected, end it without a trace."""
        deadline = time.monotonic() + DRAIN_SECONDS
        try:
            while self._owed > 0:
                raw = self._recv(deadline, last=self._owed == 1)
                self._owed -= 1
                if not wire.is_returned(protocol.loads(raw, trusted=False)):
                    break   # a call that failed ends the worker's batch: nothing more comes
            if self._rbuf:
                raise TooBig("the worker sent more than it was asked for")
        except (Timeout, TooBig, EOFError, OSError, protocol.ProtocolError):
            self._kill_worker(reap=False)
        finally:
            self._pending, self._owed = False, 0

    def _exchange(self, function: str, calls: list, inputs: bool) -> list[tuple[Any, tuple, dict]]:
        return list(self._exchange_lazy(function, wire.CallRequest(function, calls, inputs)))

    def _exchange_lazy(self, function: str, request: wire.CallRequest):
        """Send `request`; yield (value, args_after, kwargs_after) per call as its reply arrives, and
        raise the StudentProblem of the first reply that is not a value (or of a timeout, a crash)."""
        self._refuse_early(function)
        count = len(request.calls)
        payload = protocol.dumps_parts(request.to_plain())
        self._rbuf = bytearray()
        deadline = self._deadline(self.call_timeout)
        try:
            self._send(payload, deadline)
            for i in range(count):
                self._pending = True
                raw = self._recv(deadline, last=i == count - 1)
                reply = self._decode_reply(function, raw, request.send_inputs_back)
                if time.monotonic() > deadline:   # decoding the value counts against the call
                    raise Timeout
                # the worker stops a batch at the first call that fails, so after the last
                # reply, or a failure, it owes nothing more
                ok = type(reply) is wire.Returned
                self._pending = ok and i < count - 1
                self._owed = count - 1 - i if self._pending else 0
                if not ok:
                    self._raise_outcome(function, reply)
                yield reply.result()
                deadline = self._deadline(self.call_timeout)
        except Timeout:
            self._kill_worker()
            raise self._timed_out(function) from None
        except TooBig as exc:
            self._kill_worker()
            if exc.args:
                raise BadReturn(f"{function}() sent back something that is not plain data ({exc.args[0]})") from None
            raise BadReturn(f"{function}() returned a value larger than {self.max_reply_bytes >> 20} MB") from None
        except (EOFError, OSError):
            status = self._kill_worker(reap=True)
            self.events.append(f"{function}: crashed")
            raise StudentCrashed(f"{function}() ended the worker process: {self._describe_end(status)}") from None

    def _refuse_early(self, function: str) -> None:
        """Raise what a call of `function` gives without running it (closed, over its limits, no module)."""
        if self._closed:
            raise self.closed_error("this submission was closed")
        if self._timeouts.get(function, 0) >= self.max_timeouts:
            raise StudentTimeout(f"{function}() was not run again: an earlier call took longer than "
                                 f"{self.call_timeout:g} s")
        self._check_budget(function)
        if function in self._out_of_memory:
            # a memory bomb costs ~0.1 s per call (the kernel zero-fills what it grabs): once is enough
            raise StudentRaised(f"{function}() was not run again: an earlier call ran out of memory "
                                f"(the worker's limit is {self.memory >> 20} MB)")
        self._ensure_worker()
        if self._import_failure is not None:
            f = self._import_failure
            raise StudentImportFailed(f.message, f.detail)
        if function not in self._functions:
            raise StudentRaised(f"your module has no function {function}() (was it renamed or deleted?)")

    def _deadline(self, seconds: float) -> float:
        return time.monotonic() + seconds

    def _check_budget(self, function: str) -> None:
        """Raise if no call may run any more (the sandbox's time budget for the whole submission)."""

    def _timed_out(self, function: str) -> Exception:
        """The StudentProblem of a call that ran out of time (the worker is already ended)."""
        self._timeouts[function] = self._timeouts.get(function, 0) + 1
        self.events.append(f"{function}: timeout")
        return StudentTimeout(f"{function}() did not finish within {self.call_timeout:g} s "
                              "(an infinite loop, or a very slow computation?)")

    def _decode_reply(self, function: str, raw: bytes, inputs: bool):
        """A call's reply (autograder.wire) from the bytes the worker sent, validated."""
        try:
            return wire.parse_call_reply(protocol.loads(raw, trusted=False), inputs)
        except protocol.TooLarge as exc:
            self._kill_worker()
            raise BadReturn(f"your function {function}() returned a value too large or too deeply nested to grade "
                            f"({exc})") from None
        except protocol.ProtocolError as exc:
            self._kill_worker()
            raise BadReturn(f"{function}() sent back something that is not plain data ({exc})") from None

    def _raise_outcome(self, function: str, reply) -> None:
        """Raise the StudentProblem a reply that is not a value stands for."""
        kind = type(reply)
        if kind is wire.NotImplementedReply:
            raise NotImplementedYet(f"{function}() is not implemented yet")
        if kind is wire.Missing:
            raise StudentRaised(f"your module has no function {function}() (was it renamed or deleted?)")
        if kind is wire.ChainFailed:
            raise BadReturn(f"{function}() {reply.message[:300]}")
        if kind is wire.BadReturnReply:
            raise BadReturn(f"{function}() returned a value that cannot be graded: {reply.message[:300]}")
        if kind is wire.Raised:
            raise self._raised(function, reply)
        self._kill_worker()
        raise BadReturn(f"{function}() sent back an unexpected reply")

    def _raised(self, function: str, reply: wire.Raised) -> StudentRaised:
        exception = reply.type[:80] or "an exception"
        extra = ""
        if exception == "MemoryError":
            extra = " (the worker's memory limit is %d MB)" % (self.memory >> 20)
            self._out_of_memory.add(function)
            self._kill_worker()   # a fresh worker for the other functions
            self.events.append(f"{function}: out of memory")
        detail = reply.traceback
        if reply.printed:
            detail += ("\n" if detail else "") + "printed before the error:\n" + reply.printed[:800]
        return StudentRaised(f"{function}() raised {exception}: {reply.message[:600]}{extra}", detail)

    # ------------------------------------------------------------------ the import handshake
    def _ensure_worker(self) -> None:
        if self._import_failure is not None or self._has_worker() or self._closed:
            return
        if self._start_worker():
            self._import_reply(self._deadline(self.import_timeout))

    def _import_reply(self, deadline: float) -> None:
        """Read the worker's answer to the import of the module: its functions, or _import_failure."""
        try:
            raw = self._recv(deadline)
        except Timeout:
            self._kill_worker()
            return self._import_failed(f"importing {self.filename} took longer than {self.import_timeout:g} s "
                                       "(an infinite loop or a long computation at the top level of the module?)")
        except TooBig:
            self._kill_worker()
            return self._import_failed(f"importing {self.filename} sent back too much data")
        except (EOFError, OSError):
            status = self._kill_worker(reap=True)
            return self._import_failed(f"{self.filename} ended the worker process while it was being imported: "
                                       f"{self._describe_end(status)}")
        try:
            reply = wire.parse_import_reply(protocol.loads(raw, trusted=False))
        except protocol.ProtocolError as exc:
            self._kill_worker()
            return self._import_failed(f"importing {self.filename} failed ({exc})")
        self.import_printed = reply.printed
        if type(reply) is wire.Ready:
            self._functions = set(reply.functions)
            return None
        self._kill_worker()
        if type(reply) is wire.ImportFailed:
            return self._import_failed(f"{self.filename} could not be imported: {reply.message[:600]}",
                                       reply.traceback)
        return self._import_failed(f"importing {self.filename} failed (unexpected reply)")

    def _import_failed(self, message: str, detail: str = "") -> None:
        self._import_failure = StudentImportFailed(message, detail)
