"""The wire format: round trips, and refusal of anything that is not plain data."""
from __future__ import annotations

import json
import pickle
import struct

import numpy as np
import pytest

from autograder import protocol
from autograder.protocol import ProtocolError, Rng, dumps, loads


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2**80, 1.5, float("inf"), "text", "",
    [1, 2.5, "a"], (1, (2, 3)), {"step": 3, "m": np.zeros(2)},
    np.arange(12, dtype=np.float64).reshape(3, 4), np.array(3.5), np.zeros((0, 3)),
    np.arange(5, dtype=np.int32), np.array([True, False]), np.float32(1.25), np.int64(9),
    np.arange(6.0).reshape(2, 3).T,                      # non-contiguous
])
def test_round_trip(value):
    back = loads(dumps(value))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
        assert back.flags.writeable
    elif isinstance(value, np.generic):
        assert back == value.item() and type(back) in (int, float, bool)
    elif isinstance(value, dict):
        assert back.keys() == value.keys() and np.array_equal(back["m"], value["m"])
    else:
        assert back == value and type(back) is type(value)


def _same(a, b) -> bool:
    """Equal values of equal types, arrays by dtype, shape and bits; Generators by their next draws."""
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape and \
            a.tobytes() == b.tobytes() and b.flags.writeable
    if isinstance(a, np.random.Generator):
        return type(b) is np.random.Generator and a.random(3).tolist() == b.random(3).tolist()
    if callable(a):
        return callable(b) and np.array_equal(a(np.arange(3.0)), b(np.arange(3.0)))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return type(a) is type(b) and a == b


def test_worker_request_decoding_matches_trusted_loads_then_materialize():
    """loads_request (the worker's one-pass decoder) gives what materialize(loads(..., trusted=True)) gives."""
    value = ("fn", [[[np.arange(12.0).reshape(3, 4), np.zeros(1000), 0.5, float("nan"), -float("inf"), None,
                      True, "s", [1, (2, 3)], {"step": 3, "m": np.ones(2, dtype=np.float32)},
                      Rng(7), protocol.Callable("scale", 2.0)], {"training": False, "rng": Rng(3)}]],
             False, [[0, 0]], [])
    for raw in (dumps(value), bytearray(dumps(value))):
        assert _same(protocol.materialize(loads(raw, trusted=True)), protocol.loads_request(raw))


def test_nan_keeps_every_bit():
    x = np.array([np.nan, -0.0, 5e-324])
    assert np.array_equal(loads(dumps(x)), x, equal_nan=True)
    assert np.isnan(loads(dumps(float("nan"))))
    assert str(loads(dumps(-0.0))) == "-0.0"


def test_large_arrays_are_raw_bytes_not_base64():
    x = np.random.default_rng(0).random(100_000)
    raw = dumps(x)
    assert raw.startswith(protocol.MAGIC) and len(raw) < x.nbytes + 500
    assert np.array_equal(loads(raw), x)


def test_pure_json_form_is_still_accepted():
    value = (np.arange(3.0), {"a": 1.5})
    back = loads(json.dumps(protocol.encode(value)).encode())
    assert np.array_equal(back[0], value[0]) and back[1] == {"a": 1.5}


@pytest.mark.parametrize("value", [
    object(), np.array([object()], dtype=object), np.array(["a"]), np.complex128(1j), np.zeros(2, complex),
    {1: 2}, lambda: 1, b"bytes", {"a": {1, 2}}, np.datetime64("2020-01-01"),
])
def test_refuses_what_is_not_plain_data(value):
    with pytest.raises(ProtocolError):
        dumps(value)


def test_markers_only_from_the_trusted_side():
    raw = dumps((Rng(5), protocol.Callable("scale", 2.0)))
    rng, fn = protocol.materialize(loads(raw, trusted=True))
    assert isinstance(rng, np.random.Generator) and fn(np.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises(ProtocolError):
        loads(raw, trusted=False)
    with pytest.raises(ProtocolError):
        protocol.Callable("os.system")


def _message(header: dict | list, section: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return protocol.MAGIC + struct.pack("!I", len(text)) + text + section


@pytest.mark.parametrize("raw", [
    b"", b"not json", pickle.dumps([1, 2]), b"\x80\x04K\x01.",
    _message({"__ndarray__": [0, 16], "dtype": "float64", "shape": [2]}, b"\0" * 8),     # too short
    _message({"__ndarray__": [8, 8], "dtype": "float64", "shape": [1]}, b"\0" * 8),      # out of range
    _message({"__ndarray__": [0, 8], "dtype": "object", "shape": [1]}, b"\0" * 8),
    _message({"__ndarray__": [0, 8], "dtype": "float64", "shape": [10**30]}, b"\0" * 8),
    _message({"__ndarray__": [0, 8], "dtype": "float64", "shape": [-1]}, b"\0" * 8),
    _message({"__ndarray__": "AAAA", "dtype": "float64", "shape": [1]}),                # 3 bytes, not 8
    _message({"__float__": "1e5" * 40}),
    _message({"__float__": "0x10"}),
    _message({"__pickle__": "gASVAgAAAAAAAABLAS4="}),
    _message({"__tuple__": "abc"}),
    _message({"__dict__": [[1, 2]]}),
    _message({}),
    protocol.MAGIC + struct.pack("!I", 1000) + b"{}",                                  # truncated header
    _message([[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]),                                    # too deep
    b"[" * 100000 + b"]" * 100000,
])
def test_malformed_or_hostile_messages_are_refused(raw):
    with pytest.raises(ProtocolError):
        loads(raw, trusted=False)


def test_size_budgets():
    big = protocol.MAX_ELEMENTS + 1
    with pytest.raises(ProtocolError):
        loads(_message({"__ndarray__": [0, big], "dtype": "uint8", "shape": [big]}, b"\0" * big))


def test_arrays_of_a_handed_over_buffer_are_used_in_place_but_never_shared():
    """loads(bytearray) may keep arrays in the message buffer (no copy): aligned, writable, and two arrays
    never share bytes, even when a hostile header points them at the same place."""
    x, y = np.arange(600.0).reshape(20, 30), np.arange(5000, dtype=np.int32)
    raw = dumps((x, 1.5, y, np.zeros(0), np.float16(np.arange(3000))))
    assert b"".join(protocol.dumps_parts((x, 1.5))) == dumps((x, 1.5))
    back = loads(bytearray(raw))
    assert np.array_equal(back[0], x) and np.array_equal(back[2], y) and back[3].shape == (0,)
    assert all(a.flags.aligned and a.flags.writeable for a in (back[0], back[2], back[4]))
    assert np.array_equal(loads(raw)[0], x)              # bytes: copied, as before
    header = json.dumps({"__tuple__": [{"__ndarray__": [0, 8192], "dtype": "float64", "shape": [1024]},
                                       {"__ndarray__": [0, 8192], "dtype": "float64", "shape": [1024]}]}).encode()
    header += b" " * (-(8 + len(header)) % 8)           # section 8-byte aligned: in-place decoding applies
    same = protocol.MAGIC + struct.pack("!I", len(header)) + header + b"\0" * 8192
    a, b = loads(bytearray(same), trusted=False)
    assert not a.flags.owndata                           # the first array lives in the buffer...
    a[0] = 7.0
    assert b[0] == 0.0                                   # ...the overlapping second one is a copy


# ============================================================================ decoding cost of hostile replies
def _peak_decoding(raw: bytes) -> tuple[Exception | None, int]:
    """(what loads(raw, trusted=False) raised, peak bytes Python allocated while it ran)."""
    import tracemalloc

    tracemalloc.start()
    try:
        loads(raw, trusted=False)
        raised = None
    except ProtocolError as exc:
        raised = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


@pytest.mark.parametrize("raw", [
    b'["ok", [' + b"[]," * 5_000_000 + b"[]]]",                          # 15 MB of empty lists
    b'["ok", [' + b"0," * 5_000_000 + b"0]]",                            # 10 MB of small numbers
    b'["ok", {"__dict__": [' + b'["a", {}],' * 2_000_000 + b'["b", 1]]}]',   # dict items
    protocol.MAGIC + struct.pack("!I", 15_000_006) + b'["ok",' + b"[" * 7_500_000 + b"]" * 7_500_000,
], ids=["empty lists", "numbers", "dict items", "deep nesting"])
def test_a_reply_of_millions_of_tiny_items_is_refused_before_it_is_built(raw):
    # Measured without the cap: ~1 GB and ~6 s for the first one. The cap (MAX_ITEMS) is checked by
    # counting bytes, before any object is made: the peak is at most one copy of the JSON header (taken
    # out of a framed message) plus well under 1 MB.
    raised, peak = _peak_decoding(raw)
    assert isinstance(raised, protocol.TooLarge), raised
    assert "limit" in str(raised) or "nested" in str(raised)
    assert peak < len(raw) + (1 << 20), peak


def test_decoding_cost_is_linear_up_to_the_cap():
    """Just under the cap a reply decodes, its cost bounded by the cap: here ~64 bytes per item."""
    n = protocol.MAX_ITEMS - 10
    raw = dumps(["ok", [[] for _ in range(n // 2)]])
    raised, peak = _peak_decoding(raw)
    assert raised is None
    # each empty list costs ~56 bytes + an 8-byte slot in its parent, twice over while json's result and
    # the validated copy both live: 160 bytes per item bounds it with room for allocator overhead
    assert peak < 160 * n, peak


def test_deep_nesting_is_refused_with_a_clear_reason():
    with pytest.raises(protocol.TooLarge, match="nested"):
        loads(b'["ok", ' + b"[" * 40 + b"]" * 40 + b"]", trusted=False)
