"""The release check (python -m scripts release-check, and check-tag) in-process: tags, the checkout, the wheel
set, and hostile inputs that must not fool it."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import subprocess
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SOURCE, VERSION, WINDOWS_TAG, assemble_wheel, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.__main__ import main
from scripts.dist import MAX_MEMBER_BYTES


LINUX_NAME = f"castagnoli-{VERSION}-{WINDOWS_TAG.replace('win_amd64', 'manylinux_2_28_x86_64')}.whl"


def command(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    """The release check of the wheels alone (--wheels: the tag is checked, the checkout is not)."""
    return command(capsys, "release-check", "--wheels", *argv)


def checkout(capsys: pytest.CaptureFixture[str], root: Path, tag: str) -> tuple[int, str, str]:
    """The release check of the tag and the checkout at `root` alone, with a pyproject whose version is 1.0.0."""
    pyproject = root.parent / "pyproject-1.0.0.toml"
    pyproject.write_text((ROOT / "pyproject.toml").read_text().replace(f'version = "{VERSION}"', 'version = "1.0.0"'))
    return command(capsys, "release-check", "--checkout", "--tag", tag, "--root", root, "--pyproject", pyproject)


def assert_one_clear_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


# --- tags ----------------------------------------------------------------------------

def test_the_release_tag_matches(capsys: pytest.CaptureFixture[str], pyproject: Path) -> None:
    code, out, _ = command(capsys, "check-tag", f"v{VERSION}", "--pyproject", pyproject)
    assert code == 0 and out == f"ok: tag v{VERSION} matches the [project] version of {str(pyproject)!r}\n"


@pytest.mark.parametrize(("tag", "words"), [
    ("", ["no tag given", f"TAG=v{VERSION}"]),
    (VERSION, ["does not start with 'v'", f"e.g. v{VERSION}"]),
    ("1.2", ["does not start with 'v'", f"e.g. v{VERSION}"]),
    (f"V{VERSION}", ["lowercase 'v'"]),
    (f"v{VERSION}rc1", ["pre-release"]),
    (f"v{VERSION}.dev0", ["development release"]),
    (f"v{VERSION}.post1", ["post-release"]),
    (f"v{VERSION}+local", ["local version"]),
    ("v1.2", ["2 components"]),
    ("v01.2.3", ["canonical"]),
    (f"v{VERSION}''", ["not a version number"]),  # arrives as pushed, never shell-split
    (f"v{VERSION}\n", ["whitespace"]),
    ("v1.2.3", ["does not match pyproject.toml", f"expected v{VERSION}"]),
    ("v" + "9" * 5000 + ".0.0", ["characters"]),
    ("v1.2.99999999999999999999", ["9 digits"]),
])
def test_bad_tags_get_one_clear_error(capsys: pytest.CaptureFixture[str], pyproject: Path, tag: str,
                                      words: list[str]) -> None:
    code, out, err = command(capsys, "check-tag", "--pyproject", pyproject, "--", tag)
    assert_one_clear_error(code, err, *words)
    assert out == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_tag_gets_exit_0_and_its_ok_line_or_exit_1_and_one_error_line(tag: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check-tag", "--pyproject", str(ROOT / "pyproject.toml"), "--", tag])
    if tag == f"v{VERSION}":
        assert (code, out.getvalue().count("\n"), err.getvalue()) == (0, 1, "")
    else:
        assert code == 1 and out.getvalue() == "", tag
        assert err.getvalue().startswith("error: ") and err.getvalue().count("\n") == 1, err.getvalue()
        assert err.getvalue().isascii() and err.getvalue()[:-1].isprintable(), err.getvalue()


@pytest.mark.parametrize(("content", "words"), [
    ('[project]\nname = "castagnoli"\n', ["[project] version is None", "not a static string"]),
    ('[project]\nversion = "1.0"\n', ["components"]),
    ('[project\n', ["cannot be read as a pyproject.toml (Expected ']'"]),
    ("a = " + "[" * 100_000, ["cannot be read as a pyproject.toml"]),  # recursion in a malformed file
    (b"\xff\xfe", ["cannot be read as a pyproject.toml ('utf-8' codec can't decode"]),
])
def test_a_broken_pyproject_is_one_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               content: str | bytes, words: list[str]) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = command(capsys, "check-tag", "--pyproject", path, "v1.2.3")
    assert_one_clear_error(code, err, *words)
    code, _, err = command(capsys, "release-check", "--checkout", "--pyproject", path)  # the tag from it
    assert_one_clear_error(code, err, *words)
    assert "no tag given" not in err, err  # the tag cannot be known: only what is wrong with the file


# --- the checkout -----------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    run = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*run[:3], "init", "-q"], check=True)
    (root / "pyproject.toml").write_text("x = 1\n")
    subprocess.run([*run, "add", "."], check=True)
    subprocess.run([*run, "commit", "-qm", "one"], check=True)
    return root


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True,
                   capture_output=True)


def test_a_clean_checkout_with_a_free_tag_is_ready(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, out, err = checkout(capsys, repo, "v1.0.0")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("ok: nothing uncommitted in what the release is built from (src, ")


def test_uncommitted_release_files_are_refused(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    (repo / "pyproject.toml").write_text("x = 2\n")
    (repo / "src").mkdir()
    (repo / "src" / "new.py").write_text("")
    code, _, err = checkout(capsys, repo, "v1.0.0")
    assert_one_clear_error(code, err, "uncommitted changes", "'pyproject.toml'", "git stash -u")


def test_a_tag_on_another_commit_is_refused_and_one_on_head_is_fine(capsys: pytest.CaptureFixture[str],
                                                                    repo: Path) -> None:
    git(repo, "tag", "v1.0.0")
    assert checkout(capsys, repo, "v1.0.0")[0] == 0
    (repo / "pyproject.toml").write_text("x = 3\n")
    git(repo, "commit", "-qam", "two")
    code, _, err = checkout(capsys, repo, "v1.0.0")
    assert_one_clear_error(code, err, "already exists on commit", "bump [project] version")


def fake_git(directory: Path, body: str) -> None:
    """A `git` first on PATH that runs `body` (bash)."""
    directory.mkdir()
    (directory / "git").write_text(f"#!/usr/bin/env bash\n{body}\n")
    (directory / "git").chmod(0o755)


@pytest.mark.parametrize(("case", "words"), [
    ("not a work tree", "not a git repository"),
    ("a failing git status", "'git status' failed (exit 128"),
    ("git too slow", "'git rev-parse' did not answer within 0.5 s"),
    ("no git", "git is not installed"),
])
def test_a_checkout_git_cannot_read_fails_the_check(capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, case: str, words: str) -> None:
    from scripts import git as git_module

    root = repo
    if case == "not a work tree":
        root = tmp_path / "plain"
        root.mkdir()
    elif case == "a failing git status":
        (repo / ".git" / "index").write_bytes(b"not an index")
    elif case == "git too slow":
        fake_git(tmp_path / "slow", "sleep 5")
        monkeypatch.setenv("PATH", f"{tmp_path / 'slow'}:{os.environ['PATH']}")
        monkeypatch.setattr(git_module, "GIT_TIMEOUT", 0.5)
    else:
        monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    monkeypatch.setenv("CI", "true")
    code, out, err = checkout(capsys, root, "v1.0.0")
    assert_one_clear_error(code, err, "the checkout cannot be checked", words, "run the release check in the clone")
    assert "nothing uncommitted" not in out


# --- the wheel set ------------------------------------------------------------------------

def test_the_release_set_passes_and_is_reported(capsys: pytest.CaptureFixture[str], host_wheel: Path,
                                                windows_dll: Path, tmp_path: Path, pyproject: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy2(host_wheel, dist)
    assemble_wheel(dist, files={"castagnoli/__init__.py": b"", "castagnoli/_crc32c.pyd": windows_dll.read_bytes()})
    code, out, err = check(capsys, dist, "--pyproject", pyproject, "--tag", f"v{VERSION}")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"release check for tag v{VERSION} (from --tag), wheels in {dist}/ (full release set)"
    assert lines[1].startswith(f"ok: {dist}/ holds exactly the expected wheels, each sound, their METADATA naming "
                               f"{SOURCE}")
    assert lines[3:5] == ["ok: twine check --strict passed", "ok: abi3audit --strict passed"]
    rows = [line.split() for line in lines[7:9]]
    assert [(r[0], r[1]) for r in rows] == [("linux", LINUX_NAME), ("windows", f"castagnoli-{VERSION}-{WINDOWS_TAG}.whl")]
    assert lines[-1] == f"ready to release v{VERSION} (full release set)"


@pytest.fixture
def host_dist(tmp_path: Path, host_wheel: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dist/ holding the host wheel alone, in the working directory, and no $DIST: what make wheel leaves."""
    (tmp_path / "dist").mkdir()
    shutil.copy2(host_wheel, tmp_path / "dist")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIST", raising=False)
    return tmp_path / "dist"


def test_the_host_wheel_alone_passes_for_host_and_says_so(capsys: pytest.CaptureFixture[str], host_dist: Path,
                                                          pyproject: Path) -> None:
    assert [p.name for p in host_dist.iterdir()] == [LINUX_NAME]
    code, out, err = check(capsys, "--pyproject", pyproject)
    assert code == 0, err
    assert out.splitlines()[0].endswith(", wheels in dist/ (host wheel only)")
    assert out.splitlines()[-1] == f"ready to release v{VERSION} (host wheel only)"


def _fifo(d: Path) -> None:
    (d / LINUX_NAME).unlink()
    os.mkfifo(d / LINUX_NAME)


def _symlink(d: Path) -> None:
    target = d.parent / "elsewhere.whl"
    shutil.copy2(next(d.glob("*manylinux*")), target)
    (d / LINUX_NAME).unlink()
    (d / LINUX_NAME).symlink_to(target)


NOT_OURS = "is not one of the release's wheels: expected only"
DIR_CASES = {
    "stray file": (lambda d: (d / "notes.txt").write_text("x"), ["'notes.txt'", NOT_OURS, "remove it"]),
    "hidden file": (lambda d: (d / ".DS_Store").write_text("x"), ["'.DS_Store'", NOT_OURS]),
    "sdist": (lambda d: (d / f"castagnoli-{VERSION}.tar.gz").write_text("x"), [NOT_OURS]),
    "sub-directory": (lambda d: (d / "sub").mkdir(), ["'sub'", NOT_OURS]),
    "older version beside": (lambda d: assemble_wheel(d, version="0.0.1"), ["0.0.1", NOT_OURS, f"says {VERSION}"]),
    "compressed tag set": (lambda d: assemble_wheel(d, tag=WINDOWS_TAG + ".win32"), [NOT_OURS]),
    "build tag": (lambda d: assemble_wheel(d, filename=f"castagnoli-{VERSION}-1-{WINDOWS_TAG}.whl"), [NOT_OURS]),
    "control characters in a name": (lambda d: (d / "evil\tlinux\tx.whl").write_text("x"), ["'evil\\tlinux\\tx.whl'"]),
    "FIFO in place of a wheel": (_fifo, ["is a link, FIFO or device: expected a regular wheel file"]),
    "symlink in place of a wheel": (_symlink, ["is a link, FIFO or device"]),
    "missing windows wheel": (lambda d: next(d.glob("*win_amd64*")).unlink(), ["no windows wheel"]),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", DIR_CASES)
def test_a_bad_directory_is_refused_without_change(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                   pyproject: Path, case: str) -> None:
    mutate, words = DIR_CASES[case]
    mutate(release_dir)
    before = snapshot(release_dir) if case != "FIFO in place of a wheel" else None
    code, out, err = check(capsys, release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, *words)
    assert "ok:" not in out
    if before is not None:
        assert snapshot(release_dir) == before


def _rewrite(path: Path, extra: list[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members + extra:
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            zf.writestr(info, data)


def _set_encrypted_flag(path: Path) -> None:
    """Set bit 0 (encrypted) of every local and central header, as an encrypting zip tool would."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _windows(d: Path) -> Path:
    return next(d.glob("*win_amd64*"))


def _reassembled(**how: Any) -> Callable[[Path], object]:
    """A case that puts another Windows wheel, assembled `how`, in the wheel's place."""
    def mutate(wheel: Path) -> None:
        wheel.unlink()
        assemble_wheel(wheel.parent, **how)
    return mutate


ARCHIVE_CASES = {
    "absolute member": (lambda w: _rewrite(w, [("/etc/evil", b"x")]), ["escapes the install directory"]),
    "dot-dot member": (lambda w: _rewrite(w, [("castagnoli/../../evil", b"x")]), ["escapes"]),
    "duplicate member": (lambda w: _rewrite(w, [("castagnoli/__init__.py", b"y")]), ["appears twice"]),  # warns
    "data before the first entry": (lambda w: w.write_bytes(b"JUNK" * 100 + w.read_bytes()), ["data before"]),
    "second dist-info": (lambda w: _rewrite(w, [("other-1.0.dist-info/METADATA", b"x")]), [".dist-info directories"]),
    "file not in RECORD": (lambda w: _rewrite(w, [("castagnoli/extra.py", b"x")]), ["not mentioned in RECORD"]),
    "bzip2 member": (lambda w: _rewrite(w, [], compression=zipfile.ZIP_BZIP2), ["compression method 12"]),
    "encrypted flag": (_set_encrypted_flag, ["encrypted"]),
    "not a zip": (lambda w: w.write_bytes(b"not a zip at all"), ["not a sound zip archive"]),
    "a RECORD row twice": (_reassembled(tamper_record=lambda rows: rows.append(list(rows[0]))), ["more than once"]),
    "a RECORD row of no file": (_reassembled(tamper_record=lambda rows: rows.append(["castagnoli/ghost.py", "", ""])),
                                ["not in the wheel"]),
    "a RECORD hash": (_reassembled(tamper_record=lambda rows: rows[0].__setitem__(1, "sha256=AAAA")),
                      ["didn't match RECORD"]),
    "a RECORD size": (_reassembled(tamper_record=lambda rows: rows[0].__setitem__(2, "1")), ["didn't match RECORD"]),
    # a Linux wheel under the Windows name: told where a Windows wheel comes from, not to run make wheel
    "a Linux wheel named as the Windows one": (
        _reassembled(tag=WINDOWS_TAG.replace("win_amd64", "manylinux_2_28_x86_64"),
                     filename=f"castagnoli-{VERSION}-{WINDOWS_TAG}.whl"),
        ["WHEEL Tag lines", f"expected exactly {WINDOWS_TAG}", "take the Windows wheel from the CI run"]),
}


@pytest.mark.timeout(20)
@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # zipfile, writing the duplicate-member case
@pytest.mark.parametrize("case", ARCHIVE_CASES)
def test_an_unsound_wheel_is_refused(capsys: pytest.CaptureFixture[str], release_dir: Path, pyproject: Path,
                                     case: str) -> None:
    mutate, words = ARCHIVE_CASES[case]
    mutate(_windows(release_dir))
    code, _, err = check(capsys, release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, *words)
    assert "make wheel" not in err  # every problem here is the Windows wheel's


@pytest.mark.timeout(20)
def test_a_zip_bomb_is_refused_fast_in_little_memory(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                     pyproject: Path) -> None:
    bomb = _windows(release_dir)
    size = MAX_MEMBER_BYTES + (1 << 20)  # past the cap, and past the memory the check may use
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("castagnoli/zeros", "w", force_zip64=True) as f:
        for _ in range(size >> 20):
            f.write(bytes(1 << 20))
    tracemalloc.start()
    started = time.monotonic()
    code, _, err = check(capsys, release_dir, "--pyproject", pyproject)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_one_clear_error(code, err, f"declares {size} bytes")
    assert time.monotonic() - started < 5 and peak < 50 << 20


def test_members_that_add_up_past_the_total_cap_are_refused(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                            pyproject: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import dist

    monkeypatch.setattr(dist, "MAX_TOTAL_BYTES", 4 << 20)  # each member under the per-member cap, the sum over
    _rewrite(_windows(release_dir), [(f"castagnoli/part{i}", bytes(1 << 20)) for i in range(5)])
    code, _, err = check(capsys, release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "bytes uncompressed: expected at most 1000 of at most 4194304 bytes")


@pytest.mark.timeout(20)
def test_a_2_gb_junk_file_is_refused_without_reading_it(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                        pyproject: Path) -> None:
    junk = _windows(release_dir)
    with junk.open("wb") as handle:
        handle.truncate(2 << 30)  # sparse: 2 GB that takes no disk
    started = time.monotonic()
    code, _, err = check(capsys, release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "2147483648 bytes")
    assert time.monotonic() - started < 5


def test_an_unreadable_or_missing_directory_is_one_clear_error(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path, pyproject: Path) -> None:
    code, _, err = check(capsys, tmp_path / "missing", "--pyproject", pyproject)
    assert_one_clear_error(code, err, "cannot be listed (No such file or directory)", "the host wheel: 'make wheel'",
                           "the release set: the CI run's artifacts")
    (tmp_path / "file").write_text("x")
    code, _, err = check(capsys, tmp_path / "file", "--pyproject", pyproject)
    assert_one_clear_error(code, err, "cannot be listed (Not a directory)")


def test_the_host_wheel_of_an_os_without_one_is_one_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIST", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    code, _, err = check(capsys, "--pyproject", ROOT / "pyproject.toml")
    assert_one_clear_error(code, err, "no release wheel is built for darwin", "DIST=DIR")


# --- output under a strict ASCII stdout ------------------------------------------------

def test_non_utf8_and_non_ascii_names_print_escaped_under_a_strict_ascii_stdout(tmp_path: Path, repo: Path,
                                                                                release_dir: Path,
                                                                                windows_dll: Path) -> None:
    """The process boundary is what is tested: PYTHONIOENCODING=ascii:strict makes any raw byte a crash."""
    weird = tmp_path / os.fsdecode(b"dist-\xff-\xc3\xa9")
    weird.mkdir()
    shutil.copy2(next(release_dir.glob("*manylinux*")), weird)
    assemble_wheel(weird, files={"castagnoli/__init__.py": b"", "castagnoli/_crc32c.pyd": windows_dll.read_bytes()})
    (release_dir / os.fsdecode(b"caf\xe9\n\x1b[31m.whl")).write_bytes(b"x")
    runs = {
        "a valid release set in a non-UTF-8 directory": (["release-check", "--wheels", weird], 0),
        "a non-UTF-8 file name with a newline and an escape": (["release-check", "--wheels", release_dir], 1),
        "a non-ASCII tag in the checkout check": (["release-check", "--checkout", "--tag", "v0.5.0\xe9", "--root",
                                                   repo], 1),
        "a non-UTF-8 tag": (["check-tag", "--pyproject", ROOT / "pyproject.toml", "--", os.fsdecode(b"v\xff")], 1),
        "a pyproject in a non-UTF-8 directory": (["check-tag", "--pyproject", weird / "pyproject.toml",
                                                  f"v{VERSION}"], 1),
    }
    env = {**os.environ, "PYTHONIOENCODING": "ascii:strict", "LC_ALL": "C"}
    for what, (argv, expected) in runs.items():
        result = subprocess.run([os.fsencode(arg) for arg in [sys.executable, "-m", "scripts", *argv]], env=env,
                                cwd=ROOT, capture_output=True)
        out, err = result.stdout.decode("ascii"), result.stderr.decode("ascii")  # ASCII, or this raises
        assert result.returncode == expected, (what, out, err)
        assert "Traceback" not in err, what
        assert all(line.startswith("error: ") for line in err.splitlines()), (what, err)
        assert expected == 0 or err.count("\n") == 1, (what, err)


def test_the_checkout_alone_is_refused_when_dirty_before_any_wheel_is_looked_at(tmp_path: Path) -> None:
    """release-check.sh --checkout, as make runs it before the host wheel's rebuild: the shell half, from any
    directory (it runs from its project's root)."""
    from conftest import clone_project

    clone = clone_project(tmp_path / "castagnoli")
    (clone / "src" / "castagnoli" / "__init__.py").write_text("# changed\n")  # no dist/ at all: never reached
    env = {k: v for k, v in os.environ.items() if k not in ("TAG", "DIST", "GITHUB_REF_TYPE", "GITHUB_STEP_SUMMARY")}
    result = subprocess.run([str(clone / "scripts" / "release-check.sh"), "--checkout"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "uncommitted" in result.stderr, result.stderr
    assert "wheels" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    clean = clone_project(tmp_path / "clean")
    result = subprocess.run([str(clean / "scripts" / "release-check.sh"), "--checkout"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"release check for tag v{VERSION} (from pyproject.toml)"
    assert len(result.stdout.splitlines()) == 3 and "ready to release" not in result.stdout


@pytest.mark.parametrize("summary", ["missing-dir/summary.md", "a-directory", "/dev/full"])
def test_an_unwritable_step_summary_is_one_error_line(capsys: pytest.CaptureFixture[str], host_dist: Path,
                                                      tmp_path: Path, pyproject: Path, summary: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-directory").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", summary if summary.startswith("/") else str(tmp_path / summary))
    code, out, err = check(capsys, "--tag", f"v{VERSION}", "--pyproject", pyproject)
    assert_one_clear_error(code, err, "cannot append the report to GITHUB_STEP_SUMMARY=")
    assert "ready to release" not in out


def test_the_step_summary_gets_the_table_of_the_wheels(capsys: pytest.CaptureFixture[str], host_dist: Path,
                                                       tmp_path: Path, pyproject: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' text\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = check(capsys, "--tag", f"v{VERSION}", "--pyproject", pyproject)
    assert code == 0 and out.endswith(f"ready to release v{VERSION} (host wheel only)\n"), err
    text = summary.read_text()
    assert text.startswith(f"earlier steps' text\n### Release check: v{VERSION}\n")
    (wheel,) = host_dist.iterdir()
    assert f"| linux | `{wheel.name}` | {wheel.stat().st_size} |" in text


def test_dist_with_a_trailing_slash_is_shown_once(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIST", f"{tmp_path}/")
    first = check(capsys)[1].splitlines()[0]
    assert f"wheels in {tmp_path}/ (full release set)" in first and "//" not in first, first


def test_a_tag_on_an_older_commit_names_the_tag_and_both_ways_out(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import clone_project

    clone = clone_project(tmp_path / "castagnoli")
    git_env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "tag", f"v{VERSION}"], cwd=clone, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "later"], cwd=clone, check=True, env=git_env)
    code, _, err = command(capsys, "release-check", "--checkout", "--root", clone, "--pyproject",
                           clone / "pyproject.toml", "--tag", f"v{VERSION}")
    (line,) = err.splitlines()
    assert code == 1 and f"git tag -f v{VERSION} && git push --force origin v{VERSION}" in line
    assert "bump [project] version" in line and " TAG" not in line


def test_metadata_names_are_compared_normalized(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 host_wheel: Path, pyproject: Path) -> None:
    # core metadata: Name: Castagnoli is the project castagnoli
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy2(host_wheel, dist)
    assemble_wheel(dist, metadata_name="Castagnoli")
    out = check(capsys, dist, "--pyproject", pyproject)[1]
    assert "holds exactly the expected wheels, each sound" in out  # (its made-up DLL then fails abi3audit)


def test_the_wheels_must_name_the_publishing_repository_and_a_tag_run_must_be_in_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, host_wheel: Path, pyproject: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    repository = SOURCE.removeprefix("https://github.com/")
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy2(host_wheel, dist)  # built from pyproject.toml: names [project.urls] Source
    other = assemble_wheel(dist, project_url="https://github.com/someone/fork")
    for name in ("GITHUB_REPOSITORY", "GITHUB_REF_TYPE"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = check(capsys, dist, "--pyproject", pyproject)
    assert_one_clear_error(code, err, f"expected {SOURCE}, the repository that publishes it", "[project.urls]")
    other.unlink()
    assemble_wheel(dist)
    # each run passes the wheel set, then says where it runs (the made-up DLL then fails abi3audit)
    code, out, err = check(capsys, dist, "--pyproject", pyproject)
    assert "skipped: the run's repository check (GITHUB_REPOSITORY is not set" in out, err
    monkeypatch.setenv("GITHUB_REPOSITORY", repository.upper())  # GitHub names are case-insensitive
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    code, out, err = check(capsys, dist, "--pyproject", pyproject)
    assert f"ok: this run is in {repository}, the repository that publishes" in out, err
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork")
    monkeypatch.setenv("GITHUB_REF_TYPE", "branch")  # ci.yml on a fork's push: said, not failed
    code, out, err = check(capsys, dist, "--pyproject", pyproject)
    assert "this is a run of 'someone/fork', not of " + repository + " (a fork)" in out, err
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")  # publish.yml always enforces it
    code, _, err = check(capsys, dist, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "this release runs in 'someone/fork'", f"expected {repository}")
