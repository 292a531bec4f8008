"""autograder.wire: every message's plain shape (the one the wire has always carried), the trusted
side's parsing of what a worker sends (hostile shapes refused), and that the transport modules
build no message by hand."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from autograder import protocol, wire

REPO = Path(__file__).resolve().parent.parent


def _crossed(plain):
    """Plain data as the other side decodes it (untrusted: as the grader reads a worker's reply)."""
    return protocol.loads(protocol.dumps(plain), trusted=False)


# ----------------------------------------------------------------------------- shapes on the wire
def test_call_request_is_the_historic_tuple():
    x = np.arange(3.0)
    request = wire.CallRequest("step", [((x, 0.5), {"lr": 0.1}), ((x, 1.0), {})], True, [[0, 0]], [1])
    historic = ("step", [[[x, 0.5], {"lr": 0.1}], [[x, 1.0], {}]], True, [[0, 0]], [1])
    assert protocol.dumps(request.to_plain()) == protocol.dumps(historic)
    back = wire.CallRequest.from_plain(protocol.loads_request(protocol.dumps(request.to_plain())))
    assert back.function == "step" and back.send_inputs_back is True and back.feed == [[0, 0]] and back.keep == [1]
    (args, kwargs), _ = back.calls
    assert type(args) is tuple and np.array_equal(args[0], x) and args[1] == 0.5 and kwargs == {"lr": 0.1}


@pytest.mark.parametrize("reply, historic", [
    (wire.Returned(1.5), ["ok", 1.5]),
    (wire.Returned(1.5, (1,), {"a": None}), ["ok", 1.5, (1,), {"a": None}]),
    (wire.NotImplementedReply(printed="p"), {"status": "not_implemented", "printed": "p"}),
    (wire.Missing(), {"status": "missing", "printed": ""}),
    (wire.Raised(type="ValueError", message="m", traceback="tb", printed="p"),
     {"status": "error", "type": "ValueError", "message": "m", "traceback": "tb", "printed": "p"}),
    (wire.Raised(type="SystemExit", message="called sys.exit(1)"),
     {"status": "error", "type": "SystemExit", "message": "called sys.exit(1)", "printed": ""}),
    (wire.BadReturnReply(message="m"), {"status": "bad_return", "message": "m", "printed": ""}),
    (wire.ChainFailed(message="m"), {"status": "chain_error", "message": "m", "printed": ""}),
    (wire.Ready(functions=["f", "g"], printed="hi"), {"status": "ready", "functions": ["f", "g"], "printed": "hi"}),
    (wire.ImportFailed(message="SyntaxError: x"), {"status": "import_error", "message": "SyntaxError: x", "printed": ""}),
])
def test_replies_are_the_historic_plain_data(reply, historic):
    assert protocol.dumps(reply.to_plain()) == protocol.dumps(historic)


@pytest.mark.parametrize("reply", [
    wire.Returned([1, 2.5]), wire.Returned(np.ones(2), (np.zeros(1), None), {"k": 1}),
    wire.NotImplementedReply(printed="x"), wire.Missing(),
    wire.Raised(type="KeyError", message="'a'", traceback="line 3", printed="out"),
    wire.BadReturnReply(message="unsupported type builtins.set"), wire.ChainFailed(message="returned float"),
])
def test_call_replies_cross_and_parse_back(reply):
    inputs = type(reply) is wire.Returned and reply.args_after is not None
    back = wire.parse_call_reply(_crossed(reply.to_plain()), inputs)
    assert type(back) is type(reply)
    if type(reply) is wire.Returned:
        value, args, kwargs = back.result()
        assert np.array_equal(np.asarray(value, dtype=float), np.asarray(reply.value, dtype=float))
        assert (args == () and kwargs == {}) if not inputs else (len(args) == 2 and kwargs == {"k": 1})
    else:
        assert back.printed == reply.printed
        for name in reply._FIELDS:   # an absent detail reads as "" on the trusted side
            assert getattr(back, name) == (getattr(reply, name) or "")


def test_import_replies_cross_and_parse_back():
    ready = wire.parse_import_reply(_crossed(wire.Ready(functions=["f"], printed="hi").to_plain()))
    assert ready == wire.Ready(functions=["f"], printed="hi")
    failed = wire.parse_import_reply(_crossed(wire.ImportFailed(message="m", traceback="t").to_plain()))
    assert failed == wire.ImportFailed(message="m", traceback="t", printed="")


# ----------------------------------------------------------------------------- what a hostile worker may send
@pytest.mark.parametrize("plain, inputs", [
    (["ok"], False), (["ok", 1, 2], False), (["OK", 1], False), ([1, 2], False), ([], False),
    (["ok", 1], True), (["ok", 1, [1], {}], True), (["ok", 1, (1,), [("a", 1)]], True),
    ({"no": "status"}, False), ({"status": 3}, False), ({"status": None}, False),
    (3, False), ("ok", False), ((("ok", 1)), False), (None, False),
])
def test_a_call_reply_of_another_shape_is_refused(plain, inputs):
    with pytest.raises(wire.NotAReply):
        wire.parse_call_reply(_crossed(plain), inputs)


def test_not_a_reply_is_a_protocol_error():
    # the trusted side's handlers catch protocol.ProtocolError: a malformed reply is one
    assert issubclass(wire.NotAReply, protocol.ProtocolError)


@pytest.mark.parametrize("status", ["ready", "import_error", "booted", "unexpected", "OK", "error "])
def test_an_unknown_status_during_a_call_is_unexpected(status):
    assert type(wire.parse_call_reply({"status": status, "printed": "p"}, False)) is wire.Unexpected


def test_reply_texts_are_strings_and_bounded():
    raised = wire.parse_call_reply({"status": "error", "type": ["list"], "message": "m" * 10_000,
                                    "traceback": {"a": 1}, "printed": "p" * 10_000}, False)
    assert raised.type == "" and raised.traceback == ""
    assert len(raised.message) == wire.TEXT_LIMIT and len(raised.printed) == wire.PRINTED_LIMIT


def test_import_reply_shapes():
    assert type(wire.parse_import_reply({"status": "ready", "functions": "f"})) is wire.Unexpected
    assert wire.parse_import_reply({"status": "ready", "functions": ["f", 3, None, "g"]}).functions == ["f", "g"]
    assert type(wire.parse_import_reply({"status": "error", "message": "m"})) is wire.Unexpected
    assert type(wire.parse_import_reply({"status": 1})) is wire.Unexpected
    for plain in (["ok", 1], "ready", None):
        with pytest.raises(wire.NotAReply):
            wire.parse_import_reply(plain)


# ----------------------------------------------------------------------------- control messages
def test_worker_config_and_control_messages_round_trip_through_json():
    config = wire.WorkerConfig(module_name="penalties", filename="penalties.py", scratch="/tmp/w-x", memory=1 << 29,
                               output_limit=4000, fsize=1 << 24, cpu=60, seccomp=True, uid=60001, gid=60001,
                               tmpfs={"bytes": 1 << 24, "inodes": 1000})
    for message in (wire.Fork(config), wire.Reap(123), wire.KillUid(60001)):
        assert wire.parse_control(json.loads(json.dumps(message.to_plain()))) == message
    # the historic fork message: {"op": "fork", ...config}, what the zygote reads
    assert wire.Fork(config).to_plain() == {"op": "fork", **config.to_plain()}
    assert list(config.to_plain())[:7] == ["module_name", "filename", "scratch", "memory", "output_limit", "fsize", "cpu"]
    portable = wire.WorkerConfig("m", "m.py", "/s", 1, 2, 3, 4, show_output=False)
    assert "seccomp" not in portable.to_plain() and portable.to_plain()["show_output"] is False
    assert wire.parse_control({"op": "exec", "cmd": "sh"}) is None
    assert wire.Reaped.from_plain(wire.Reaped(None).to_plain()).status is None
    assert wire.Forked.from_plain({"pid": 7}).pid == 7


def test_zygote_hello():
    hello = wire.ZygoteHello.from_plain(wire.ZygoteHello(9, {"uid": True}).to_plain())
    assert hello == wire.ZygoteHello(9, {"uid": True})
    assert wire.ZygoteHello.from_plain({"ready": 9, "walls": [1]}).walls is None
    assert wire.ZygoteHello.from_plain("garbage").walls is None


# ----------------------------------------------------------------------------- one place for the shapes
TRANSPORT_MODULES = ["worker.py", "portable_worker.py", "sandbox.py", "portable.py", "transport.py", "framework.py"]


@pytest.mark.parametrize("name", TRANSPORT_MODULES)
def test_no_message_is_built_by_hand(name):
    """A dict literal keyed "status" or "op", or a list opening with "ok", outside wire.py would be a
    second definition of a message."""
    tree = ast.parse((REPO / "autograder" / name).read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if keys & {"status", "op"}:
                found.append(node.lineno)
        if isinstance(node, ast.List) and node.elts and isinstance(node.elts[0], ast.Constant) \
                and node.elts[0].value == "ok":
            found.append(node.lineno)
    assert not found, f"autograder/{name} builds wire messages by hand at lines {found}"
