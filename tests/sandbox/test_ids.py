from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsim.sandbox.ids import IdAllocator, checksum, is_id, make_id, sequence_of, to18


def test_known_checksum() -> None:
    assert to18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    assert checksum("001A0000006Vm9r") == "IAC"


def test_to18_normalises_18_char_case() -> None:
    assert to18("001A0000006Vm9rIAC") == "001A0000006Vm9rIAC"
    assert to18("001A0000006Vm9riac") == "001A0000006Vm9rIAC"


@pytest.mark.parametrize("bad", ["", "001", "001A0000006Vm9r!", "001A0000006Vm9rIA", "x" * 19])
def test_invalid_ids(bad: str) -> None:
    assert not is_id(bad)
    with pytest.raises(ValueError):
        to18(bad)


def test_wrong_checksum_is_not_an_id() -> None:
    assert not is_id("001A0000006Vm9rAAA")


@given(st.integers(min_value=0, max_value=62**9 - 1))
def test_make_id_round_trip(n: int) -> None:
    record_id = make_id("500", n)
    assert len(record_id) == 18 and record_id.startswith("500")
    assert is_id(record_id) and is_id(record_id[:15])
    assert sequence_of(record_id) == n


def test_allocator_continues_after_seed() -> None:
    alloc = IdAllocator()
    alloc.seed("001", 41)
    assert sequence_of(alloc.next("001")) == 42
    assert sequence_of(alloc.next("003")) == 1
