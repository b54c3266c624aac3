"""Files and streams: crc32c_file, hashlib.file_digest, and python -m castagnoli on real files."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import crc32c as reference
import pytest

import castagnoli
from castagnoli import Crc32c, crc32c_file

EMPTY_GCS = "AAAAAA=="  # Google Cloud Storage's crc32c of an empty object (x-goog-hash)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    data = random.Random(2).randbytes((3 << 20) + 17)
    paths = {"empty": tmp_path / "empty", "check": tmp_path / "check.txt", "large": tmp_path / "large.bin",
             "spaced": tmp_path / "a name with spaces"}
    paths["empty"].write_bytes(b"")
    paths["check"].write_bytes(b"123456789")
    paths["large"].write_bytes(data)
    paths["spaced"].write_bytes(b"123456789")
    return paths


def test_crc32c_file_reads_paths_and_open_binary_files(files: dict[str, Path]) -> None:
    data = files["large"].read_bytes()
    assert crc32c_file(files["large"]) == reference.crc32c(data)
    assert crc32c_file(str(files["check"])) == 0xE3069283
    assert crc32c_file(files["empty"]) == 0
    with files["large"].open("rb") as handle:
        handle.seek(100)
        assert crc32c_file(handle, threads=2) == reference.crc32c(data[100:])  # from where the file is
    assert crc32c_file(io.BytesIO(data)) == reference.crc32c(data)


def test_crc32c_file_takes_bytes_paths_as_open_does(files: dict[str, Path]) -> None:
    assert crc32c_file(bytes(files["check"])) == crc32c_file(files["check"]) == 0xE3069283


def test_crc32c_file_refuses_text_files_and_bad_threads(files: dict[str, Path]) -> None:
    with files["check"].open() as text, pytest.raises(TypeError, match="got TextIOWrapper: open files with 'rb'"):
        crc32c_file(text)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^crc32c_file\(\) threads must be in 1..1024, or None for one thread, got 0"):
        crc32c_file(files["check"], threads=0)
    with pytest.raises(FileNotFoundError):
        crc32c_file(files["check"].parent / "missing")


def test_crc32c_file_names_the_fix_for_a_file_open_for_writing(tmp_path: Path) -> None:
    with (tmp_path / "wo.bin").open("wb") as handle, pytest.raises(io.UnsupportedOperation,
                                                                   match=r"^crc32c_file\(\) expects a file open for "
                                                                         r"reading, .*: open it with 'rb'$"):
        crc32c_file(handle)


def test_hashlib_file_digest_takes_the_class(files: dict[str, Path]) -> None:
    if sys.version_info < (3, 11):  # pragma: no cover - requires-python is >= 3.11
        pytest.skip("hashlib.file_digest is new in 3.11")
    with files["check"].open("rb") as handle:
        digest = hashlib.file_digest(handle, Crc32c)  # type: ignore[arg-type]
    assert digest.hexdigest() == "e3069283"


def cli(*args: str, stdin: bytes = b"", stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "castagnoli", *args], input=stdin.decode(),  # type: ignore[call-overload]
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)


def test_cli_prints_one_line_per_file_like_the_checksum_tools(files: dict[str, Path]) -> None:
    large = reference.crc32c(files["large"].read_bytes())
    result = cli(str(files["check"]), str(files["empty"]), str(files["large"]), str(files["spaced"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"e3069283 {files['check']}", f"00000000 {files['empty']}",
                                          f"{large:08x} {files['large']}", f"e3069283 {files['spaced']}"]
    assert result.stderr == ""  # no progress line when stderr is not a terminal


def test_cli_formats_int_and_the_google_cloud_storage_base64(files: dict[str, Path]) -> None:
    assert cli("--format", "int", str(files["check"])).stdout == f"3808858755 {files['check']}\n"
    assert cli("--format", "base64", str(files["empty"]), str(files["check"])).stdout.splitlines() == [
        f"{EMPTY_GCS} {files['empty']}", f"4waSgw== {files['check']}"]


def test_cli_reads_standard_input_for_dash_or_no_file() -> None:
    assert cli(stdin=b"123456789").stdout == "e3069283 -\n"
    assert cli("-", stdin=b"123456789").stdout == "e3069283 -\n"


def test_cli_reports_each_unreadable_file_and_goes_on(files: dict[str, Path], tmp_path: Path) -> None:
    result = cli(str(tmp_path / "missing"), str(tmp_path), str(files["check"]))
    assert result.returncode == 1
    assert result.stdout == f"e3069283 {files['check']}\n"
    errors = result.stderr.splitlines()
    assert len(errors) == 2 and all(line.startswith("error: ") for line in errors)
    assert "missing: cannot read it (No such file or directory)" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_cli_reports_a_file_without_read_permission(files: dict[str, Path]) -> None:
    files["check"].chmod(0)
    result = cli(str(files["check"]))
    assert result.returncode == 1 and "Permission denied" in result.stderr


def test_cli_usage_errors_exit_2() -> None:
    for args in (["--format", "crc"], ["--threads", "0", "-"], ["--threads", "many"]):
        result = cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args
    said = cli("--threads", "0").stderr.splitlines()[-1]
    assert said.startswith("python -m castagnoli: error: argument --threads: expected a number of threads from 1 "
                           "to 1024, got '0'; this machine has "), said


def test_cli_progress_shows_only_on_a_terminal_for_slow_files(files: dict[str, Path]) -> None:
    from castagnoli.__main__ import Progress

    terminal = io.BytesIO()
    with files["large"].open("rb") as handle:
        reader = Progress(handle, "large.bin", terminal)
        reader.start -= 5  # as if it had been reading for 5 s
        crc = crc32c_file(reader)  # type: ignore[arg-type]
        reader.clear()
    assert crc == reference.crc32c(files["large"].read_bytes())
    drawn = terminal.getvalue()
    assert drawn.startswith(b"\rlarge.bin: 1 MiB (33%)") and drawn.endswith(b"\r\x1b[K")  # then cleared
    assert drawn.count(b"\r") <= 3  # redrawn at most ten times a second, not per chunk


def test_main_is_in_process_callable(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from castagnoli.__main__ import main

    assert main([str(files["check"])]) == 0
    assert capsys.readouterr().out == f"e3069283 {files['check']}\n"
    assert castagnoli.__version__


def test_cli_names_the_cpu_table_row_and_every_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    from castagnoli.__main__ import main

    assert main(["--kernels"]) == 0
    lines = capsys.readouterr().out.splitlines()
    cpu, measured, bands = castagnoli.dispatch()
    assert lines[:3] == [f"castagnoli {castagnoli.__version__}: kernel in use: auto", f"  CPU table row: {cpu}",
                         f"  measured: {measured}"]
    assert [line.split()[-1] for line in lines[3:3 + len(bands)]] == [name for _, name in bands]
    kernel_lines = lines[3 + len(bands):]
    assert [line.split()[0] for line in kernel_lines] == list(castagnoli.kernels())
    assert {line.split()[0] for line in kernel_lines if "(in the row)" in line} == {name for _, name in bands}


def test_the_castagnoli_command_is_the_same_program(files: dict[str, Path]) -> None:
    command = Path(sysconfig.get_path("scripts")) / ("castagnoli.exe" if sys.platform == "win32" else "castagnoli")
    result = subprocess.run([str(command), str(files["check"])], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"e3069283 {files['check']}\n", "")


def test_cli_ends_quietly_when_its_reader_goes_away(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"123456789")
    # 6,000 lines of 11 bytes: more than a pipe holds, so the program is still writing when the reader leaves
    with subprocess.Popen([sys.executable, "-m", "castagnoli", *["f"] * 6000], cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline() == b"e3069283 f" + os.linesep.encode()
        child.stdout.close()  # as `| head -1` does
        stderr = child.stderr.read()
        status = child.wait(120)
    assert stderr == b"" and status == 141, (status, stderr)  # 128 + SIGPIPE, as a shell reports sha256sum


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGINT to send a child, nor FIFOs, on Windows")
def test_cli_interrupted_exits_130_without_a_traceback(tmp_path: Path) -> None:
    fifo = tmp_path / "slow"
    os.mkfifo(fifo)
    with subprocess.Popen([sys.executable, "-m", "castagnoli", str(fifo)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as child:
        with fifo.open("wb") as writer:  # opens once the program opened the file: it is past its imports
            writer.write(b"x" * 1000)
            writer.flush()
            time.sleep(0.2)  # it reads those bytes, then waits for more
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=60)
    assert (child.returncode, out, err) == (130, b"", b"")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full is Linux's")
def test_cli_writing_to_a_full_device_says_so_in_one_line(files: dict[str, Path]) -> None:
    with open("/dev/full", "w") as full:
        result = cli(str(files["check"]), str(files["check"]), stdout=full)
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot write to standard output (No space left on device)")
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_cli_kernels_with_a_file_is_a_usage_error(files: dict[str, Path]) -> None:
    result = cli("--kernels", str(files["check"]))
    assert result.returncode == 2 and result.stdout == ""
    assert "--kernels reads no file, got 1 FILE argument(s)" in result.stderr.splitlines()[-1]


def test_cli_escapes_a_name_holding_a_newline_as_sha256sum_does(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from castagnoli.__main__ import main

    if sys.platform == "win32":
        pytest.skip("Windows file names cannot hold a newline")
    name = tmp_path / "two\nlines\\here"
    name.write_bytes(b"123456789")
    assert main([str(name)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [f"\\e3069283 {tmp_path}/two\\nlines\\\\here"]
