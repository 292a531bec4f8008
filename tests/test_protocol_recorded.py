"""protocol's encoder and decoder against what the wire carried before they were split into per-type
functions: the same bytes for every value of a corpus, the same errors for every value or message
that is refused.

The record (tests/protocol_record.json) was made by the encoder and decoder as they were at commit
06b8da0, with `python tests/test_protocol_recorded.py --record` run against that checkout
(PYTHONPATH=<checkout>); it is the reference, so it is never rewritten by the code under test.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

RECORD = Path(__file__).with_name("protocol_record.json")


class _Str(str):
    pass


class _Int(int):
    pass


class _Float(float):
    pass


class _Tuple(tuple):
    pass


class _List(list):
    pass


class _Dict(dict):
    pass


class _Array(np.ndarray):
    pass


def _nested(depth: int, leaf):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def values(protocol) -> list:
    """Values to encode (each given to dumps and to encode without buffers), named."""
    rng = np.random.default_rng(7)
    big = rng.standard_normal((70, 30))
    return [
        ("none", None), ("true", True), ("false", False), ("zero", 0), ("int", -12345678901234567890),
        ("int_limit", (1 << 1024) - 1), ("int_too_big", 1 << 1024), ("int_neg_too_big", -(1 << 1030)),
        ("float", 0.1), ("negzero", -0.0), ("nan", float("nan")), ("inf", float("inf")), ("ninf", -math.inf),
        ("str", "héllo \u2603 \"quoted\" \\ \n"), ("empty_list", []), ("empty_tuple", ()), ("empty_dict", {}),
        ("list", [1, 2.5, "a", None, True, float("nan"), 3]),
        ("tuple", (1, (2, (3, [4, {"k": (5,)}])))),
        ("dict", {"a": 1, "b": [1.5, {"c": None}], "nan": float("nan")}),
        ("dict_bad_key", {1: 2}), ("dict_bad_key_nested", [{"a": {(1,): 2}}]),
        ("str_subclass", _Str("sub")), ("int_subclass", _Int(7)), ("float_subclass", _Float(2.5)),
        ("float_subclass_nan", _Float("nan")), ("tuple_subclass", _Tuple((1, 2.0, "x"))),
        ("list_subclass", _List([1, [2]])), ("dict_subclass", _Dict(a=_Int(1))),
        ("np_float64", np.float64(1.25)), ("np_float32", np.float32(0.1)), ("np_int64", np.int64(-3)),
        ("np_uint8", np.uint8(200)), ("np_bool", np.bool_(True)), ("np_float16_inf", np.float16("inf")),
        ("np_complex", np.complex128(1 + 2j)), ("np_longdouble_arr", np.zeros(2, dtype=np.longdouble)),
        ("array_f64", big), ("array_f32_odd", rng.standard_normal(7).astype(np.float32)),
        ("array_int", np.arange(12, dtype=np.int16).reshape(3, 4)), ("array_bool", np.array([True, False, True])),
        ("array_0d", np.array(3.5)), ("array_empty", np.zeros((0, 3))), ("array_bigendian", np.arange(5, dtype=">f8")),
        ("array_strided", big[::3, ::2]), ("array_fortran", np.asfortranarray(big[:5, :4])),
        ("array_subclass", np.arange(4.0).view(_Array)), ("array_object", np.array([1, "a"], dtype=object)),
        ("array_complex", np.zeros(3, dtype=complex)), ("arrays_in_tuple", (big[:2], np.ones(3, np.uint8), [big[0]])),
        ("rng", protocol.Rng(42)), ("callable", protocol.Callable("scale", 2.0)),
        ("callable_arrays", protocol.Callable("linear_tanh", np.eye(2), np.zeros(2))),
        ("set", {1, 2}), ("bytes", b"raw"), ("complex", 1j), ("object", object()), ("generator", np.random.default_rng(1)),
        ("depth_ok", _nested(protocol.MAX_DEPTH, 1.0)), ("depth_over", _nested(protocol.MAX_DEPTH + 1, 1.0)),
        ("depth_ok_atoms", _nested(protocol.MAX_DEPTH - 1, [1, "a", None, 2.0])),
        ("depth_edge_atoms", _nested(protocol.MAX_DEPTH, [1])), ("depth_edge_dict", _nested(protocol.MAX_DEPTH - 1, {"a": 1})),
        ("depth_edge_tuple", _nested(protocol.MAX_DEPTH, (1,))),
    ]


def _header(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def messages(protocol) -> list:
    """Messages to decode (loads, trusted and not), named: hostile and malformed ones above all."""
    good = protocol.dumps((np.arange(6.0).reshape(2, 3), (1, "a"), {"k": float("inf")}))
    framed = lambda header, section=b"": protocol.MAGIC + len(header).to_bytes(4, "big") + header + section
    arr = lambda **node: framed(_header(node), bytes(64))
    return [
        ("good", good), ("good_json", json.dumps(protocol.encode([1, (2,), {"a": np.ones(2)}])).encode()),
        ("rng_marker", protocol.dumps(protocol.Rng(3))), ("callable_marker", protocol.dumps(protocol.Callable("identity"))),
        ("callable_unknown", framed(_header({"__callable__": "os.system", "params": []}))),
        ("truncated", good[:6]), ("truncated_header", good[:12]), ("bad_utf8", framed(b"\xff\xfe")),
        ("bad_json", framed(b"[1,")), ("empty_dict", framed(b"{}")), ("other_dict", framed(b'{"a":1}')),
        ("tuple_not_list", framed(b'{"__tuple__":3}')), ("dict_not_list", framed(b'{"__dict__":{}}')),
        ("dict_item_bad", framed(b'{"__dict__":[[1,2]]}')), ("dict_item_short", framed(b'{"__dict__":[["a"]]}')),
        ("float_bad", framed(b'{"__float__":1}')), ("float_long", framed(_header({"__float__": "1" * 41}))),
        ("float_text", framed(b'{"__float__":"abc"}')), ("float_ok", framed(b'{"__float__":"-inf"}')),
        ("array_ok", arr(__ndarray__=[0, 16], dtype="float64", shape=[2])),
        ("array_bad_dtype", arr(__ndarray__=[0, 8], dtype="object", shape=[1])),
        ("array_shape_neg", arr(__ndarray__=[0, 8], dtype="float64", shape=[-1])),
        ("array_shape_float", arr(__ndarray__=[0, 8], dtype="float64", shape=[1.0])),
        ("array_shape_deep", arr(__ndarray__=[0, 0], dtype="float64", shape=[1] * 33)),
        ("array_ref_out", arr(__ndarray__=[60, 16], dtype="float64", shape=[2])),
        ("array_ref_short", arr(__ndarray__=[0], dtype="float64", shape=[2])),
        ("array_size_mismatch", arr(__ndarray__=[0, 8], dtype="float64", shape=[2])),
        ("array_too_many", arr(__ndarray__=[0, 8], dtype="float64", shape=[10 ** 6, 10 ** 3])),
        ("array_no_section", framed(_header({"__ndarray__": [0, 8], "dtype": "float64", "shape": [1]}))),
        ("array_b64", framed(_header({"__ndarray__": base64.b64encode(bytes(8)).decode(), "dtype": "float64", "shape": [1]}))),
        ("array_b64_bad", framed(_header({"__ndarray__": "!!!", "dtype": "float64", "shape": [1]}))),
        ("array_raw_int", framed(_header({"__ndarray__": 5, "dtype": "float64", "shape": [1]}))),
        ("deep", framed(b"[" * 40 + b"]" * 40)), ("very_deep", framed(b"[" * 100000 + b"]" * 100000)),
        ("many_items", framed(b"[" + b"0," * (protocol.MAX_ITEMS + 1) + b"0]")),
        ("dict_deep", framed(_header(_nested(protocol.MAX_DEPTH + 2, {"__dict__": [["a", 1]]})))),
        ("plain_json", b'[1, 2, {"__tuple__": [3]}]'), ("plain_bad", b"nope"),
    ]


def _outcome(call) -> dict:
    try:
        seen = call()
        return {"ok": seen if len(seen) <= 200 else "sha256:" + _digest(seen.encode())}
    except Exception as exc:  # noqa: BLE001 - the error is what is recorded
        return {"error": f"{type(exc).__name__}: {exc}"}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _describe(value) -> str:
    """A decoded value, exactly: types, dtypes, shapes and bytes (repr alone would round floats)."""
    if isinstance(value, np.ndarray):
        return f"ndarray({value.dtype.str},{value.shape},{_digest(value.tobytes())})"
    if isinstance(value, float):
        return f"float({value.hex()})"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "[" + ",".join(map(_describe, value)) + "]"
    if isinstance(value, dict):
        return "dict{" + ",".join(f"{k!r}:{_describe(v)}" for k, v in value.items()) + "}"
    return f"{type(value).__name__}({value!r})"


def observe(protocol) -> dict:
    """What `protocol` does with the corpus: digests of bytes, decoded values described, errors."""
    seen = {}
    for name, value in values(protocol):
        seen[f"dumps/{name}"] = _outcome(lambda: _digest(protocol.dumps(value)))
        seen[f"encode/{name}"] = _outcome(lambda: _digest(json.dumps(protocol.encode(value)).encode()))
        seen[f"roundtrip/{name}"] = _outcome(lambda: _describe(protocol.loads(protocol.dumps(value), trusted=True)))
    for name, raw in messages(protocol):
        for trusted in (False, True):
            seen[f"loads/{name}/{trusted}"] = _outcome(lambda: _describe(protocol.loads(raw, trusted=trusted)))
        seen[f"loads_bytearray/{name}"] = _outcome(lambda: _describe(protocol.loads(bytearray(raw))))
    return seen


def test_same_bytes_and_errors_as_recorded():
    from autograder import protocol

    recorded = json.loads(RECORD.read_text())
    now = observe(protocol)
    assert sorted(now) == sorted(recorded)
    differ = {k: (recorded[k], now[k]) for k in recorded if recorded[k] != now[k]}
    assert not differ, differ


def test_record_holds_both_values_and_refusals():
    # the record would prove nothing if the corpus only succeeded, or only failed
    recorded = json.loads(RECORD.read_text())
    assert sum("ok" in v for v in recorded.values()) > 100
    assert sum("error" in v for k, v in recorded.items() if k.startswith("dumps/")) >= 15
    assert sum("error" in v for k, v in recorded.items() if k.startswith("loads/")) >= 40


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: PYTHONPATH=<checkout at 06b8da0> python tests/test_protocol_recorded.py --record")
    from autograder import protocol as reference

    RECORD.write_text(json.dumps(observe(reference), indent=0, sort_keys=True) + "\n")
    print(f"recorded {RECORD} from {reference.__file__}")
