"""The Windows side, checked here: the kernels cross-compiled with MinGW, and the Windows repair step."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import KERNEL_SOURCES, ROOT, assemble_wheel, require_tool, run_all

# What the kernels' DLL exports: the C API of src/native/crc32c.h, nothing else.
KERNEL_API = {"castagnoli_crc32c", "castagnoli_combine", "castagnoli_init", "castagnoli_kernel",
              "castagnoli_kernel_name", "castagnoli_kernel_status", "castagnoli_use_kernel", "castagnoli_dispatch"}


REPAIR = ROOT / "scripts" / "repair_windows_wheel.py"


def mingw(tmp_path: Path, name: str, source: str, *flags: str) -> Path:
    c_file = tmp_path / f"{name}.c"
    c_file.write_text(source)
    out = tmp_path / f"{name}.dll"
    subprocess.run([require_tool("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"), "-shared", "-O2", "-o", out,
                    c_file, *flags], cwd=tmp_path, check=True)
    return out



def repair(wheel: Path, dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, REPAIR, wheel, dest], capture_output=True, text=True)


def test_kernels_compile_for_windows_and_export_only_the_kernel_api(windows_dll: Path) -> None:
    import pefile

    pe = pefile.PE(str(windows_dll))
    assert pe.FILE_HEADER.Machine == pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]
    exported = {s.name.decode() for s in pe.DIRECTORY_ENTRY_EXPORT.symbols}
    assert exported == KERNEL_API


def test_repair_keeps_a_wheel_whose_dll_needs_only_windows(windows_dll: Path, tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    wheel = assemble_wheel(built, files={"castagnoli/__init__.py": b"",
                                         "castagnoli/_crc32c.pyd": windows_dll.read_bytes()})
    result = repair(wheel, tmp_path / "repaired")
    assert result.returncode == 0, result.stderr
    assert "need only Windows system DLLs" in result.stdout
    repaired = tmp_path / "repaired" / wheel.name
    assert repaired.read_bytes() == wheel.read_bytes()


def test_repair_refuses_a_dll_that_needs_another_dll(tmp_path: Path) -> None:
    mingw(tmp_path, "helper", "__declspec(dllexport) int helper(void) { return 1; }\n")
    main = mingw(tmp_path, "castagnoli",
                 "__declspec(dllimport) int helper(void);\n__declspec(dllexport) int f(void) { return helper(); }\n",
                 "-L.", "-lhelper")
    built = tmp_path / "built"
    built.mkdir()
    wheel = assemble_wheel(built, files={"castagnoli/_crc32c.pyd": main.read_bytes()})
    result = repair(wheel, tmp_path / "repaired")
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: castagnoli/_crc32c.pyd imports helper.dll: expected Windows system DLLs only")
    assert not (tmp_path / "repaired").exists()


# What the kernels need from a C library, for a DLL linked without one (clang has no MSVC CRT here).
MSVC_SHIM = {
    "include/string.h": "#include <stddef.h>\nvoid *memcpy(void *, const void *, size_t);\n"
                        "int strcmp(const char *, const char *);\n",
    "shim.c": "#include <stddef.h>\n"
              "void *memcpy(void *d, const void *s, size_t n) { unsigned char *o = d; const unsigned char *i = s;\n"
              "    while (n--) *o++ = *i++; return d; }\n"
              "int strcmp(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; }\n"
              "    return (unsigned char)*a - (unsigned char)*b; }\n",
}


def test_the_kernels_compile_and_link_the_way_msvc_sees_them(tmp_path: Path) -> None:
    """The _MSC_VER branch (no target attributes: every intrinsic available, as with cl.exe) compiled by clang for
    x86_64-pc-windows-msvc with -Werror and /O2's -O2, linked by lld-link into a DLL that exports the kernel API,
    imports nothing, and passes the Windows repair step. (No MSVC CRT or Windows SDK here: a freestanding build.)"""
    clang = require_tool("clang", "clang")
    lld_link = require_tool("lld-link", "lld")
    for name, text in MSVC_SHIM.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    msvc = [clang, "--target=x86_64-pc-windows-msvc", "-ffreestanding", "-isystem", str(tmp_path / "include"),
            "-O2", "-Wall", "-Wextra", "-Werror"]
    objects = [str(tmp_path / f"{source.stem}.obj") for source in KERNEL_SOURCES]
    # -U__clang__: the branch cl.exe takes; the target features stand in for MSVC's always-available intrinsics
    run_all([[*msvc, "-U__clang__", "-msse4.2", "-mpclmul", "-mavx2", "-mvpclmulqdq", "-mavx512f", "-mavx512vl",
              "-DCASTAGNOLI_SHARED", "-c", str(source), "-o", obj] for source, obj in zip(KERNEL_SOURCES, objects)]
            + [[*msvc, "-fno-builtin", "-c", str(tmp_path / "shim.c"), "-o", str(tmp_path / "shim.obj")]])
    dll = tmp_path / "castagnoli.dll"
    subprocess.run([lld_link, "/DLL", "/NOENTRY", "/NODEFAULTLIB", f"/OUT:{dll}", *objects,
                    str(tmp_path / "shim.obj")], check=True, capture_output=True)
    import pefile

    pe = pefile.PE(str(dll))
    assert pe.FILE_HEADER.Machine == pefile.MACHINE_TYPE["IMAGE_FILE_MACHINE_AMD64"]
    exported = {s.name.decode() for s in pe.DIRECTORY_ENTRY_EXPORT.symbols}
    assert exported == KERNEL_API
    built = tmp_path / "built"
    built.mkdir()
    wheel = assemble_wheel(built, files={"castagnoli/__init__.py": b"", "castagnoli/_crc32c.pyd": dll.read_bytes()})
    result = repair(wheel, tmp_path / "repaired")
    assert result.returncode == 0, result.stderr


def test_repair_refuses_a_wheel_without_a_dll_or_with_a_broken_one(tmp_path: Path) -> None:
    for files, named in [({"castagnoli/__init__.py": b""}, "holds no .pyd or DLL"),
                         ({"castagnoli/_crc32c.pyd": b"MZ not a PE image"}, "is not a valid DLL")]:
        built = tmp_path / named.replace(" ", "-")
        built.mkdir()
        result = repair(assemble_wheel(built, files=files), tmp_path / "repaired")
        assert result.returncode == 1
        assert named in result.stderr and "Traceback" not in result.stderr


def test_cibuildwheel_uses_this_repair_step_on_windows() -> None:
    import tomllib

    windows = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cibuildwheel"]["windows"]
    # cibuildwheel does not quote what it substitutes: a path with spaces must not split the command
    assert windows["repair-wheel-command"] == 'python "{project}/scripts/repair_windows_wheel.py" "{wheel}" "{dest_dir}"'
    assert "pefile" in (ROOT / "requirements" / "release.txt").read_text()
