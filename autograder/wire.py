"""Every message between the trusted grader and a student-side worker, as typed values.

Both sides import this module: the worker (autograder/worker.py, autograder/portable_worker.py)
builds its replies from these types, and the trusted side (autograder/transport.py, used by the
sandbox and the portable runner) builds requests from them and turns what comes back into them.
Each type has `to_plain()` (the plain data that crosses) and a `from_plain` (or `parse_*`) that
rebuilds it; the plain shapes are the ones the wire has always carried, so the bytes are
unchanged. The byte encoding is autograder.protocol's (a JSON header plus raw array bytes, never
pickle); this module only says what the plain data means.

Call socket (one per worker; protocol messages behind a 4-byte big-endian length):
  trusted -> worker  CallRequest: one or more calls of one function, in one message.
  worker -> trusted  one reply per call, stopping after the first that is not Returned:
                     Returned | NotImplementedReply | Raised | BadReturnReply | ChainFailed | Missing;
                     before any call, once: Ready | ImportFailed (and Booted first, portable runner).
Control socket (sandbox: trusted -> zygote, plain JSON, it carries no student data):
  ZygoteHello once; then Fork -> Forked, Reap -> Reaped, KillUid -> Done.
A timeout or a crash is no message: the trusted side sees silence or the end of the stream.

Only this module knows the plain shapes: no dict with a "status" or an "op" is built elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .protocol import ProtocolError

# ============================================================================ calls (trusted -> worker)


@dataclass(frozen=True)
class CallRequest:
    """Calls of one function, run in turn by the worker; one reply each, stopping at the first failure.

    `send_inputs_back`: each Returned carries the arguments as they are after the call (to check that
    the function did not modify its inputs). `feed` ([index, position] pairs) makes it a chain: each
    call after the first takes items of the previous call's value (protocol.feed_previous). `keep`
    (item indices): the values of all calls but the last cross back with only those items
    (protocol.kept_items).
    """
    function: str
    calls: list            # [(args, kwargs), ...]
    send_inputs_back: bool = False
    feed: list = field(default_factory=list)
    keep: list = field(default_factory=list)

    def to_plain(self) -> tuple:
        return (self.function, [[list(a), dict(k)] for a, k in self.calls], self.send_inputs_back,
                list(self.feed), list(self.keep))

    @classmethod
    def from_plain(cls, data) -> "CallRequest":
        """From the trusted grader's own message (already decoded with its markers made live)."""
        function, calls, inputs, feed, keep = data
        return cls(function, [(tuple(args), kwargs) for args, kwargs in calls], inputs, feed, keep)


# ============================================================================ replies (worker -> trusted)
# A value's reply is a bare list, not a dict with a status: a fraction of the encoding work, on both
# sides, for the most frequent message (what the call printed is not needed).
_OK = "ok"


@dataclass(frozen=True)
class Returned:
    """The call returned `value`; with send_inputs_back, also the arguments as they are after the call."""
    value: Any
    args_after: tuple | None = None
    kwargs_after: dict | None = None

    def to_plain(self) -> list:
        if self.args_after is None:
            return [_OK, self.value]
        return [_OK, self.value, self.args_after, self.kwargs_after]

    def result(self) -> tuple[Any, tuple, dict]:
        """(value, args_after, kwargs_after), the shape of Submission.call_with_inputs."""
        if self.args_after is None:
            return self.value, (), {}
        return self.value, self.args_after, self.kwargs_after


@dataclass(frozen=True)
class _StatusReply:
    """A reply that is not a value: {"status": STATUS, fields..., "printed": ...}."""
    STATUS: ClassVar[str] = ""
    printed: str = ""

    def to_plain(self) -> dict:
        plain = {"status": self.STATUS}
        for name in self._FIELDS:
            value = getattr(self, name)
            if value is not None:      # an absent detail is left out, as it always was
                plain[name] = value
        plain["printed"] = self.printed
        return plain

    _FIELDS: ClassVar[tuple] = ()

    @classmethod
    def _from_dict(cls, data: dict) -> "_StatusReply":
        return cls(printed=_text(data, "printed", PRINTED_LIMIT),
                   **{name: _text(data, name, TEXT_LIMIT) for name in cls._FIELDS})


@dataclass(frozen=True)
class NotImplementedReply(_StatusReply):
    """The function raised NotImplementedError (the stub as released)."""
    STATUS: ClassVar[str] = "not_implemented"


@dataclass(frozen=True)
class Raised(_StatusReply):
    """The function raised: the exception's type name, message and the student's frames."""
    STATUS: ClassVar[str] = "error"
    _FIELDS: ClassVar[tuple] = ("type", "message", "traceback")
    type: str | None = None
    message: str | None = None
    traceback: str | None = None


@dataclass(frozen=True)
class BadReturnReply(_StatusReply):
    """The value (or the arguments after the call) cannot cross: why, in `message`."""
    STATUS: ClassVar[str] = "bad_return"
    _FIELDS: ClassVar[tuple] = ("message",)
    message: str | None = None


@dataclass(frozen=True)
class ChainFailed(_StatusReply):
    """A chained call's previous value could not feed it (protocol.ChainError's message)."""
    STATUS: ClassVar[str] = "chain_error"
    _FIELDS: ClassVar[tuple] = ("message",)
    message: str | None = None


@dataclass(frozen=True)
class Missing(_StatusReply):
    """The module has no such function (any more: a module may delete its own functions)."""
    STATUS: ClassVar[str] = "missing"


@dataclass(frozen=True)
class Ready(_StatusReply):
    """The module was imported; `functions`: the public callables it defines."""
    STATUS: ClassVar[str] = "ready"
    _FIELDS: ClassVar[tuple] = ("functions",)
    functions: list | None = None

    @classmethod
    def _from_dict(cls, data: dict) -> "Ready | Unexpected":
        functions = data.get("functions")
        if type(functions) is not list:
            return Unexpected(printed=_text(data, "printed", PRINTED_LIMIT))
        return cls(printed=_text(data, "printed", PRINTED_LIMIT), functions=[f for f in functions if type(f) is str])


@dataclass(frozen=True)
class ImportFailed(_StatusReply):
    """Importing the module failed (SyntaxError, an exception, sys.exit...)."""
    STATUS: ClassVar[str] = "import_error"
    _FIELDS: ClassVar[tuple] = ("message", "traceback")
    message: str | None = None
    traceback: str | None = None


@dataclass(frozen=True)
class Booted(_StatusReply):
    """(portable runner) The spawned process has imported NumPy and waits for its WorkerConfig."""
    STATUS: ClassVar[str] = "booted"


@dataclass(frozen=True)
class Unexpected(_StatusReply):
    """A dict with a status this grader does not know (only a hostile worker sends one)."""
    STATUS: ClassVar[str] = "unexpected"


CALL_REPLIES = {cls.STATUS: cls for cls in (NotImplementedReply, Raised, BadReturnReply, ChainFailed, Missing)}
IMPORT_REPLIES = {cls.STATUS: cls for cls in (Ready, ImportFailed)}
PRINTED_LIMIT = 2000    # characters of what a call printed that a reply carries
TEXT_LIMIT = 3000       # characters of any other text of a reply (a traceback is cut at that too)


class NotAReply(ProtocolError):
    """Plain data (from a worker) of none of the reply shapes."""


def _text(data: dict, key: str, limit: int) -> str:
    value = data.get(key)
    return value[:limit] if type(value) is str else ""


def parse_call_reply(data: Any, send_inputs_back: bool):
    """A call's reply from plain data decoded with trusted=False: Returned, one of CALL_REPLIES,
    or Unexpected (a dict with an unknown status); NotAReply for any other shape."""
    if type(data) is list:
        if not (len(data) == (4 if send_inputs_back else 2) and type(data[0]) is str and data[0] == _OK):
            raise NotAReply("not a reply")
        if not send_inputs_back:
            return Returned(data[1])
        if not (type(data[2]) is tuple and type(data[3]) is dict):
            raise NotAReply("not a reply")
        return Returned(data[1], data[2], data[3])
    return _status_reply(data, CALL_REPLIES)


def parse_import_reply(data: Any):
    """The reply to a module import: Ready, ImportFailed or Unexpected; NotAReply if not a dict."""
    if type(data) is not dict:
        raise NotAReply("not a reply")
    return _status_reply(data, IMPORT_REPLIES, needs_status=False)


def _status_reply(data: Any, kinds: dict, needs_status: bool = True):
    if type(data) is not dict or (needs_status and type(data.get("status")) is not str):
        raise NotAReply("not a reply")
    kind = kinds.get(data.get("status")) if type(data.get("status")) is str else None
    if kind is None:
        return Unexpected(printed=_text(data, "printed", PRINTED_LIMIT))
    return kind._from_dict(data)


def is_returned(data: Any) -> bool:
    """Whether decoded plain data is a value's reply (the only reply after which a batch goes on)."""
    return type(data) is list


# ============================================================================ the submission's worker
@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to run one submission (sent in Fork, or to the portable runner's process).

    Sizes in bytes, `cpu` in seconds (RLIMIT_CPU). Sandbox only: `seccomp`, and as root `uid`/`gid`
    and `tmpfs` ({"bytes", "inodes"}: the scratch quota). Portable only: `show_output`.
    """
    module_name: str
    filename: str
    scratch: str
    memory: int
    output_limit: int
    fsize: int
    cpu: int
    seccomp: bool | None = None
    uid: int | None = None
    gid: int | None = None
    tmpfs: dict | None = None
    show_output: bool | None = None

    _ORDER: ClassVar[tuple] = ("module_name", "filename", "scratch", "memory", "output_limit", "fsize", "cpu",
                               "seccomp", "show_output", "uid", "gid", "tmpfs")

    def to_plain(self) -> dict:
        return {name: getattr(self, name) for name in self._ORDER if getattr(self, name) is not None}

    @classmethod
    def from_plain(cls, data: dict) -> "WorkerConfig":
        return cls(**{name: data.get(name) for name in cls._ORDER})


# ============================================================================ control (trusted -> zygote)
@dataclass(frozen=True)
class Fork:
    """Start a worker for `config`; the worker's end of its call socket travels with it (SCM_RIGHTS)."""
    OP: ClassVar[str] = "fork"
    config: WorkerConfig

    def to_plain(self) -> dict:
        return {"op": self.OP, **self.config.to_plain()}


@dataclass(frozen=True)
class Reap:
    """Wait for worker `pid` (already killed) and give its wait status."""
    OP: ClassVar[str] = "reap"
    pid: int

    def to_plain(self) -> dict:
        return {"op": self.OP, "pid": self.pid}


@dataclass(frozen=True)
class KillUid:
    """SIGKILL every process of `uid` (a worker's leftovers, as root)."""
    OP: ClassVar[str] = "kill_uid"
    uid: int

    def to_plain(self) -> dict:
        return {"op": self.OP, "uid": self.uid}


def parse_control(data: dict):
    """Fork, Reap or KillUid from the control socket's plain data; None for an unknown op."""
    op = data.get("op")
    if op == Fork.OP:
        return Fork(WorkerConfig.from_plain(data))
    if op == Reap.OP:
        return Reap(int(data["pid"]))
    if op == KillUid.OP:
        return KillUid(int(data["uid"]))
    return None


# zygote -> trusted
@dataclass(frozen=True)
class ZygoteHello:
    """The zygote's first message: its pid and the walls (worker.WALLS) it can put workers behind."""
    pid: int | None
    walls: dict | None      # None: not given (a zygote that failed before probing)

    def to_plain(self) -> dict:
        return {"ready": self.pid, "walls": self.walls}

    @classmethod
    def from_plain(cls, data: Any) -> "ZygoteHello":
        data = data if type(data) is dict else {}
        walls = data.get("walls")
        return cls(data.get("ready"), walls if type(walls) is dict else None)


@dataclass(frozen=True)
class Forked:
    pid: int

    def to_plain(self) -> dict:
        return {"pid": self.pid}

    @classmethod
    def from_plain(cls, data: dict) -> "Forked":
        return cls(int(data["pid"]))


@dataclass(frozen=True)
class Reaped:
    status: int | None     # the wait status, None when it was already collected

    def to_plain(self) -> dict:
        return {"status": self.status}

    @classmethod
    def from_plain(cls, data: dict) -> "Reaped":
        return cls(data.get("status"))


DONE = {"done": True}                  # KillUid's answer
UNKNOWN_OP = {"error": "unknown op"}   # the answer to anything else
