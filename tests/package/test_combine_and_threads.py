"""crc32c_combine and the threaded path: equal to the direct CRC, on every kernel."""

from __future__ import annotations

import random

import crc32c as reference
import pytest

from castagnoli import Crc32c, crc32c, crc32c_combine


def test_combine_equals_the_direct_crc_for_random_splits(kernel: str) -> None:
    rng = random.Random(f"combine-{kernel}")
    data = rng.randbytes(1 << 20)
    for _ in range(200):
        a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
        head, tail = data[:a], data[a:b]
        assert crc32c_combine(crc32c(head), crc32c(tail), len(tail)) == reference.crc32c(data[:b]), (a, b)


def test_combine_at_every_length_up_to_a_mebibyte() -> None:
    rng = random.Random(1)
    lengths = list(range(0, 70)) + [2 ** k + d for k in range(6, 21) for d in (-1, 0, 1)]
    head = rng.randbytes(33)
    for length in lengths:
        tail = rng.randbytes(length)
        assert crc32c_combine(crc32c(head), crc32c(tail), length) == crc32c(head + tail), length


def test_combine_with_an_empty_second_part_is_the_first_crc() -> None:
    assert crc32c_combine(0xE3069283, 0, 0) == 0xE3069283


def test_combine_takes_lengths_up_to_2_63_minus_1() -> None:
    # Shifting past n zero bytes is linear in the CRC: combine(a ^ b, 0, n) == combine(a, 0, n) ^ combine(b, 0, n).
    n = 2 ** 63 - 1
    assert crc32c_combine(0x12345678 ^ 0x9ABCDEF0, 0, n) == crc32c_combine(0x12345678, 0, n) ^ crc32c_combine(
        0x9ABCDEF0, 0, n)
    # and agrees with the direct CRC of zeros past a prefix, at a length the direct path can still read
    assert crc32c_combine(crc32c(b"x"), crc32c(bytes(5000)), 5000) == crc32c(b"x" + bytes(5000))


@pytest.mark.parametrize(("args", "error", "message"), [
    ((1.0, 0, 0), TypeError, r"^crc32c_combine\(\) crc1 must be an int, got float"),
    ((0, -1, 0), ValueError, r"^crc32c_combine\(\) crc2 must be in 0\.\.0xFFFFFFFF"),
    ((0, 0, -1), ValueError, r"^crc32c_combine\(\) length2 must be in 0\.\.2\*\*63-1"),
    ((0, 0, 2 ** 63), ValueError, r"length2 must be in 0\.\.2\*\*63-1"),
    ((0, 0, True), TypeError, r"length2 must be an int, got bool"),
    ((0, 0), TypeError, r"missing required argument 'length2'"),
])
def test_combine_rejects_bad_arguments(args: tuple[object, ...], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        crc32c_combine(*args)  # type: ignore[arg-type]


def test_combine_takes_keywords() -> None:
    assert crc32c_combine(crc1=crc32c(b"12345"), crc2=crc32c(b"6789"), length2=4) == 0xE3069283


@pytest.mark.parametrize("threads", [1, 2, 3, 4, 7, 64, 1024])
def test_threads_give_the_single_thread_result(kernel: str, threads: int) -> None:
    data = random.Random(threads).randbytes((9 << 20) + 4099)
    expected = reference.crc32c(data[5:])
    assert crc32c(memoryview(data)[5:], threads=threads) == expected
    assert crc32c(memoryview(data)[5:], 0x1234, threads=threads) == reference.crc32c(data[5:], 0x1234)


@pytest.mark.parametrize("offset", range(0, 64, 13))
def test_threads_at_any_alignment_and_size_around_the_part_sizes(offset: int) -> None:
    rng = random.Random(offset)
    for size in [(1 << 20) - 1, 1 << 20, (2 << 20) - 1, 2 << 20, (2 << 20) + 1, (3 << 20) + 4097]:
        data = rng.randbytes(size + offset)
        assert crc32c(memoryview(data)[offset:], threads=3) == reference.crc32c(data[offset:]), size


def test_update_takes_threads_too() -> None:
    data = random.Random(9).randbytes(5 << 20)
    h = Crc32c(b"head")
    h.update(data, threads=2)
    assert h.value == reference.crc32c(b"head" + data)


@pytest.mark.parametrize(("threads", "error"), [(0, ValueError), (-1, ValueError), (1025, ValueError),
                                                 (2 ** 80, ValueError), (True, TypeError), (2.0, TypeError),
                                                 ("2", TypeError)])
def test_threads_must_be_a_positive_int_or_none(threads: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="threads must be"):
        crc32c(b"x", threads=threads)  # type: ignore[arg-type]
