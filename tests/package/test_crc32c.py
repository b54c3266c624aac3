"""The public API of castagnoli, run against the installed package (cibuildwheel runs this file)."""

from __future__ import annotations

import array
import mmap
import random
import re
import zlib

import crc32c as reference  # the crc32c package from PyPI, a test-only dependency
import pytest

import castagnoli
from castagnoli import Crc32c, crc32c

# RFC 3720 appendix B.4, and the customary check value.
VECTORS = [
    pytest.param(bytes(32), 0x8A9136AA, id="32-zero-bytes"),
    pytest.param(b"\xff" * 32, 0x62A8AB43, id="32-ff-bytes"),
    pytest.param(bytes(range(32)), 0x46DD794E, id="ascending-0-31"),
    pytest.param(bytes(range(31, -1, -1)), 0x113FDB5C, id="descending-31-0"),
    pytest.param(b"123456789", 0xE3069283, id="check-123456789"),
    pytest.param(b"", 0, id="empty"),
]


@pytest.mark.parametrize(("data", "expected"), VECTORS)
def test_published_vectors(data: bytes, expected: int) -> None:
    assert crc32c(data) == expected


def test_matches_the_crc32c_package_on_random_data_of_many_lengths() -> None:
    rng = random.Random(20261123)
    lengths = list(range(0, 70)) + [127, 128, 129, 1000, 4095, 4096, 4097, 65536 + 3, 1 << 20]
    for length in lengths:
        data = rng.randbytes(length)
        assert crc32c(data) == reference.crc32c(data), length


def test_matches_the_crc32c_package_at_every_alignment() -> None:
    data = random.Random(7).randbytes(256)
    view = memoryview(data)
    for start in range(16):
        assert crc32c(view[start:]) == reference.crc32c(data[start:]), start


def test_streaming_equals_one_shot_at_every_split() -> None:
    data = random.Random(3).randbytes(300)
    whole = crc32c(data)
    for cut in range(len(data) + 1):
        assert crc32c(data[cut:], crc32c(data[:cut])) == whole


def test_streaming_over_three_pieces() -> None:
    a, b, c = b"hello ", b"castagnoli ", b"world"
    assert crc32c(c, crc32c(b, crc32c(a))) == crc32c(a + b + c)


def test_differs_from_zlib_crc32() -> None:
    assert crc32c(b"123456789") != zlib.crc32(b"123456789")


def _buffers(data: bytes) -> list[object]:
    arr = array.array("I")
    arr.frombytes(data)
    return [
        data,
        bytearray(data),
        memoryview(data),
        memoryview(bytearray(data)),
        arr,
        memoryview(arr),
        memoryview(data).cast("B", (4, len(data) // 4)),
    ]


@pytest.mark.parametrize("index", range(7), ids=["bytes", "bytearray", "memoryview", "memoryview-rw",
                                                  "array", "memoryview-array", "memoryview-2d"])
def test_every_buffer_type_gives_the_same_crc(index: int) -> None:
    data = bytes(range(256)) * 4
    assert crc32c(_buffers(data)[index]) == crc32c(data)


def test_mmap_is_read_in_place(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "blob"
    path.write_bytes(b"123456789")
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert crc32c(mapped) == 0xE3069283


def test_a_slice_of_a_memoryview_is_read_without_copying() -> None:
    data = bytearray(b"xx123456789yy")
    assert crc32c(memoryview(data)[2:11]) == 0xE3069283


def test_buffer_is_released_after_the_call() -> None:
    data = bytearray(b"123456789")
    crc32c(data)
    data.extend(b"0")  # a bytearray with an export still held refuses to resize
    assert crc32c(data) == crc32c(b"1234567890")


@pytest.mark.parametrize("bad", ["text", 5, None, 3.5, [1, 2], object()],
                         ids=["str", "int", "None", "float", "list", "object"])
def test_bad_input_raises_typeerror_naming_the_type(bad: object) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        crc32c(bad)  # type: ignore[arg-type]


def test_str_error_says_how_to_fix_it() -> None:
    with pytest.raises(TypeError, match=r"encode"):
        crc32c("123456789")  # type: ignore[arg-type]


def test_non_contiguous_buffer_raises_typeerror() -> None:
    with pytest.raises(TypeError, match="contiguous"):
        crc32c(memoryview(b"abcdef")[::2])


@pytest.mark.parametrize("bad", ["1", None, 1.0, True])
def test_bad_start_value_type_raises_typeerror(bad: object) -> None:
    with pytest.raises(TypeError, match="value must be an int"):
        crc32c(b"x", bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 1 << 32])
def test_start_value_out_of_range_raises_valueerror(bad: int) -> None:
    with pytest.raises(ValueError, match="0..0xFFFFFFFF"):
        crc32c(b"x", bad)


def test_hashlib_style_object() -> None:
    h = Crc32c()
    assert (h.name, h.digest_size, h.block_size) == ("crc32c", 4, 1)
    h.update(b"12345")
    h.update(memoryview(b"6789"))
    assert h.digest() == (0xE3069283).to_bytes(4, "big")
    assert h.hexdigest() == "e3069283"


def test_constructor_takes_initial_data() -> None:
    assert Crc32c(b"123456789").hexdigest() == "e3069283"
    assert Crc32c().digest() == b"\x00\x00\x00\x00"


def test_copy_is_independent() -> None:
    h = Crc32c(b"12345")
    c = h.copy()
    c.update(b"6789")
    assert c.hexdigest() == "e3069283"
    assert h.hexdigest() == f"{crc32c(b'12345'):08x}"


def test_hashlib_object_rejects_bad_input() -> None:
    with pytest.raises(TypeError, match="str"):
        Crc32c("text")  # type: ignore[arg-type]


def test_native_version_is_the_package_version() -> None:
    assert castagnoli.native_version() == castagnoli.__version__
    from importlib.metadata import version

    assert castagnoli.__version__ == version("castagnoli")


def test_library_is_loaded_from_inside_the_package() -> None:
    from castagnoli import _native

    path = _native.library_path()
    assert path.is_absolute()
    assert path.parent == _native.PACKAGE_DIR
    assert path.is_file()


def test_import_fails_when_library_version_differs() -> None:
    from castagnoli import _native

    built_for = re.escape(castagnoli.native_version())
    with pytest.raises(ImportError, match=rf"is version {built_for}, but the installed package is version 9\.9\.9"):
        _native.load(expected_version="9.9.9")


def test_import_fails_clearly_when_library_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from castagnoli import _native

    missing = tmp_path / _native.library_filename()
    with pytest.raises(ImportError, match=re.escape(f"native library is missing: expected {missing}")):
        _native.load(path=missing)
