"""The public API of castagnoli, run against the installed package (cibuildwheel runs this file)."""

from __future__ import annotations

import array
import inspect
import mmap
import pydoc
import random
import re
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import crc32c as reference  # the crc32c package from PyPI, a test-only dependency
import pytest
from conftest import KERNELS, VECTORS

import castagnoli
from castagnoli import Crc32c, _crc32c, crc32c

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


def test_the_constructor_names_itself_in_its_errors() -> None:
    with pytest.raises(TypeError, match=r"^Crc32c\(\) expects a bytes-like object, got str"):
        Crc32c("text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^Crc32c\(\) value must be in 0..0xFFFFFFFF"):
        Crc32c(b"", 1 << 32)


def test_value_is_the_crc_so_far_and_resumes_a_stored_one() -> None:
    h = Crc32c(b"12345")
    assert h.value == crc32c(b"12345")
    assert crc32c(b"6789", h.value) == 0xE3069283
    resumed = Crc32c(b"6789", value=h.value)
    assert (resumed.value, resumed.hexdigest()) == (0xE3069283, "e3069283")
    with pytest.raises(AttributeError):
        h.value = 1  # type: ignore[misc]


def test_hashlib_code_may_pass_usedforsecurity() -> None:
    assert Crc32c(b"123456789", usedforsecurity=False).hexdigest() == "e3069283"


def test_builtins_have_signatures_like_zlibs() -> None:
    assert str(inspect.signature(crc32c)) == "(data, value=0, *, threads=None)"
    assert str(inspect.signature(castagnoli.crc32c_combine)) == "(crc1, crc2, length2)"
    assert str(inspect.signature(castagnoli.kernel)) == "()"


def test_value_takes_any_integer_as_zlib_does_but_not_a_bool() -> None:
    numpy = pytest.importorskip("numpy")
    assert crc32c(b"6789", numpy.uint32(crc32c(b"12345"))) == crc32c(b"123456789")
    with pytest.raises(TypeError, match="value must be an int, got bool"):
        crc32c(b"x", True)
    with pytest.raises(TypeError, match="value must be an int, got float"):
        crc32c(b"x", 1.0)  # type: ignore[arg-type]


def test_a_released_memoryview_is_named_as_such() -> None:
    view = memoryview(b"123456789")
    view.release()
    with pytest.raises(ValueError, match=r"^crc32c\(\) got a released memoryview: expected one still in use"):
        crc32c(view)


def test_numpy_non_contiguous_arrays_raise_the_documented_typeerror() -> None:
    numpy = pytest.importorskip("numpy")  # in the tox package envs; cibuildwheel's newest CPython may lack it
    array2d = numpy.arange(64, dtype=numpy.uint8).reshape(8, 8)
    for view in [array2d[:, ::2], array2d.T, numpy.arange(16, dtype=numpy.uint8)[::3]]:
        with pytest.raises(TypeError, match=r"got a non-contiguous ndarray: .*numpy\.ascontiguousarray\(a\)"):
            crc32c(view)
    assert crc32c(array2d) == crc32c(bytes(range(64)))


def test_native_version_is_the_package_version() -> None:
    assert castagnoli.native_version() == castagnoli.__version__
    from importlib.metadata import version

    assert castagnoli.__version__ == version("castagnoli")


def test_a_wheel_install_imports_without_importlib_metadata() -> None:
    # the version is read from the dist-info beside the package: importlib.metadata costs tens of milliseconds
    if not list(Path(castagnoli.__file__).parent.parent.glob("castagnoli-*.dist-info")):
        pytest.skip("an editable install: its version comes from importlib.metadata")
    out = subprocess.run([sys.executable, "-c", "import sys, castagnoli; print('importlib.metadata' in sys.modules)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_extension_is_loaded_from_inside_the_package() -> None:
    path = Path(_crc32c.__file__)
    assert path.parent == Path(castagnoli.__file__).parent
    assert path.name.startswith("_crc32c.")


def test_import_fails_naming_both_versions_when_they_differ() -> None:
    built_for = re.escape(castagnoli.native_version())
    with pytest.raises(ImportError, match=rf"is version {built_for}, but the installed package is version 9\.9\.9"):
        castagnoli._check_native_version(castagnoli.native_version(), "9.9.9")


def test_help_lists_only_real_modules() -> None:
    text = pydoc.render_doc(castagnoli, renderer=pydoc.plaintext)
    contents = text.split("PACKAGE CONTENTS", 1)[1].split("CLASSES", 1)[0].split()
    assert contents == ["__main__", "_crc32c"]


def test_every_public_callable_has_a_docstring() -> None:
    for name in castagnoli.__all__:
        if name == "__version__":
            continue
        assert getattr(castagnoli, name).__doc__, name
    for name in ["update", "digest", "hexdigest", "copy", "value"]:
        assert getattr(Crc32c, name).__doc__, name


def test_update_errors_name_the_method_not_the_function() -> None:
    with pytest.raises(TypeError, match=r"^Crc32c\.update\(\) expects a bytes-like object, got str"):
        Crc32c().update("abc")  # type: ignore[arg-type]


def test_keyword_arguments_work_like_a_python_function() -> None:
    assert crc32c(data=b"6789", value=crc32c(b"12345")) == 0xE3069283
    with pytest.raises(TypeError, match="unexpected keyword argument 'seed'"):
        crc32c(b"x", seed=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'data'"):
        crc32c(b"x", data=b"y")  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing required argument 'data'"):
        crc32c()  # type: ignore[call-arg]


def test_large_buffers_checksum_correctly_from_several_threads() -> None:
    data = random.Random(11).randbytes(3 << 20)  # above the size that releases the GIL
    expected = reference.crc32c(data)
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(crc32c, [data, bytearray(data), memoryview(data), data])) == [expected] * 4


# --- every kernel path, forced in turn (the `kernel` fixture is in conftest.py) ------

def test_the_kernel_list_is_the_one_these_tests_force() -> None:
    assert list(castagnoli.kernels()) == KERNELS
    assert castagnoli.kernels()["portable"] == "ok"
    assert set(castagnoli.kernels().values()) <= {"ok", "unsupported", "failed self-test"}


def test_no_kernel_failed_its_self_test_on_this_machine() -> None:
    # A miscompiled build or a broken CPU path: the kernel is never used, but it must not ship.
    failed = [name for name, status in castagnoli.kernels().items() if status == "failed self-test"]
    assert not failed, f"kernels that disagree with the portable one at import: {failed}"


def test_at_import_the_cpu_table_chooses_and_its_row_uses_only_kernels_that_passed_here() -> None:
    assert castagnoli.kernel() == "auto"
    cpu, measured, bands = castagnoli.dispatch()
    assert cpu and measured and bands[0][0] == 0
    assert [size for size, _ in bands] == sorted({size for size, _ in bands})
    assert all(castagnoli.kernels()[name] == "ok" for _, name in bands), bands


def test_forcing_a_kernel_then_auto_goes_back_to_the_cpu_table() -> None:
    _crc32c.use_kernel("portable")
    assert castagnoli.kernel() == "portable"
    _crc32c.use_kernel("auto")
    assert castagnoli.kernel() == "auto"


@pytest.mark.parametrize("bad", ["avx9000", ""])
def test_forcing_an_unknown_kernel_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown kernel"):
        _crc32c.use_kernel(bad)


def test_kernel_matches_the_crc32c_package_at_every_length_and_offset(kernel: str) -> None:
    data = random.Random(kernel).randbytes(2100 + 64)
    view = memoryview(data)
    for offset in range(64):
        for length in range(2101):
            assert crc32c(view[offset:offset + length]) == reference.crc32c(data[offset:offset + length]), \
                (kernel, offset, length)


# Around the hybrids' smallest blocks (32 steps: xmm_v4s4w4 6 KiB, zmm_v3s1w2 6.5 KiB, zmm_v3s2w4 and
# ymm_v4s4w4 8 KiB, zmm_v4s5w2 10.5 KiB, zmm_v4s4w4 12 KiB; the zmm ones 64 bytes more, to align) and the
# doubled ones after them (up to 16384 steps), zmm_r2's split (from 8 KiB + 64), the CPU table's bands (16, 24,
# 32, 48 KiB, 2, 8, 16 and 20 MiB) and the six far streams (six parts and a tail), at an odd address
@pytest.mark.parametrize("size", [4095, (6 << 10) - 1, 6 << 10, 6656 + 63, (8 << 10) + 63, (8 << 10) + 64,
                                  (8 << 10) + 65, 10752 + 64, (12 << 10) - 1, (12 << 10) + 64, (16 << 10) + 64,
                                  (24 << 10) + 1, (32 << 10) + 5, (48 << 10) + 64, (64 << 10) + 129,
                                  (96 << 10) + 129, 1 << 20, (2 << 20) - 1, 2 << 20, (8 << 20) - 1, (8 << 20) + 47,
                                  (16 << 20) - 1, (16 << 20) + 7, (20 << 20) + 511])
def test_kernel_matches_the_crc32c_package_on_big_buffers(kernel: str, size: int) -> None:
    data = random.Random(size).randbytes(size + 3)
    assert crc32c(data) == reference.crc32c(data)
    assert crc32c(memoryview(data)[3:]) == reference.crc32c(data[3:])


def test_kernel_chains_across_uneven_pieces(kernel: str) -> None:
    data = random.Random(5).randbytes(300_000)
    crc, start = 0, 0
    for size in [0, 1, 7, 64, 255, 256, 1000, 4096, 12289, 65536, 200_000]:
        crc = crc32c(data[start:start + size], crc)
        start += size
    crc = crc32c(data[start:], crc)
    assert crc == reference.crc32c(data)


def test_kernel_gives_the_published_vectors(kernel: str) -> None:
    for param in VECTORS:
        data, expected = param.values
        assert crc32c(data) == expected  # type: ignore[arg-type]


def test_importing_again_leaves_the_first_modules_state_alone() -> None:
    """castagnoli_init runs once per process: a second exec of the extension (deleted from sys.modules and
    imported again) rewrites neither the plan nor the statuses, and keeps a forced kernel, while the first
    module may still be in use."""
    program = (
        "import sys, castagnoli\n"
        "first = castagnoli._crc32c\n"
        "statuses = castagnoli.kernels()\n"
        "first.use_kernel('portable')\n"
        "for name in [m for m in sys.modules if m.split('.')[0] == 'castagnoli']:\n"
        "    del sys.modules[name]\n"
        "import castagnoli as again\n"
        "assert again._crc32c is not first, 'not imported again'\n"
        "print(first.kernel(), again.kernel(), again.kernels() == statuses)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "portable portable True\n", "")


def test_an_error_raised_by_index_is_kept_not_replaced() -> None:
    class Exhausted:
        def __index__(self) -> int:
            raise MemoryError("no memory for this integer")

    with pytest.raises(MemoryError, match="no memory for this integer"):
        crc32c(b"abc", Exhausted())  # type: ignore[arg-type]


def test_a_callers_name_that_is_not_utf8_is_an_error_not_a_crash() -> None:
    with pytest.raises(UnicodeEncodeError):
        _crc32c._update(b"abc", 0, None, "\ud800")


@pytest.mark.parametrize("size", [0, 1, 16, 63, 64, (64 << 10) - 1, 64 << 10, (64 << 10) + 1])
def test_bytes_alone_take_the_short_path_with_the_same_result_as_every_other_call(size: int) -> None:
    data = random.Random(size).randbytes(size)

    class Bytes(bytes):
        pass

    expected = reference.crc32c(data)
    assert crc32c(data) == crc32c(memoryview(data)) == crc32c(Bytes(data)) == crc32c(data, 0) == expected
    assert crc32c(data, threads=None) == crc32c(data=data) == expected
