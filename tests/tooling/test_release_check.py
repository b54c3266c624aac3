"""The release check (scripts/release_check.py) in-process: tags, the checkout, the wheel set, and hostile inputs that must not fool it."""

from __future__ import annotations

import os
import shutil
import sys
import subprocess
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SOURCE, VERSION, WINDOWS_TAG, assemble_wheel, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import release_check
from scripts.wheel import MAX_MEMBER_BYTES


LINUX_NAME = f"castagnoli-{VERSION}-{WINDOWS_TAG.replace('win_amd64', 'manylinux_2_28_x86_64')}.whl"


def check(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    code = release_check.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_clear_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


# --- tags ----------------------------------------------------------------------------

def test_the_release_tag_matches(capsys: pytest.CaptureFixture[str], pyproject: Path) -> None:
    code, out, _ = check(capsys, "tag", f"v{VERSION}", "--pyproject", pyproject)
    assert code == 0 and f"ok: tag v{VERSION}" in out


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
    code, _, err = check(capsys, "tag", "--pyproject", pyproject, "--", tag)
    assert_one_clear_error(code, err, *words)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_tag_gets_exit_0_or_one_error_line(tag: str) -> None:
    code = release_check.main(["tag", "--pyproject", str(ROOT / "pyproject.toml"), "--", tag])
    assert code in (0, 1)


@pytest.mark.parametrize(("content", "words"), [
    ('[project]\nname = "castagnoli"\n', ["no version"]),
    ('[project]\nversion = "1.0"\n', ["components"]),
    ('[project\n', ["not valid TOML"]),
    ("a = " + "[" * 100_000, ["not valid TOML"]),  # recursion in a malformed file
    (b"\xff\xfe", ["not UTF-8"]),
])
def test_a_broken_pyproject_is_one_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               content: str | bytes, words: list[str]) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = check(capsys, "tag", "--pyproject", path, "v1.2.3")
    assert_one_clear_error(code, err, *words)


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
    code, out, _ = check(capsys, "git", "v1.0.0", "--root", repo)
    assert code == 0 and "ok:" in out


def test_uncommitted_release_files_are_refused(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    (repo / "pyproject.toml").write_text("x = 2\n")
    (repo / "src").mkdir()
    (repo / "src" / "new.py").write_text("")
    code, _, err = check(capsys, "git", "v1.0.0", "--root", repo)
    assert_one_clear_error(code, err, "uncommitted changes", "'pyproject.toml'", "git stash -u")


def test_a_tag_on_another_commit_is_refused_and_one_on_head_is_fine(capsys: pytest.CaptureFixture[str],
                                                                    repo: Path) -> None:
    git(repo, "tag", "v1.0.0")
    assert check(capsys, "git", "v1.0.0", "--root", repo)[0] == 0
    (repo / "pyproject.toml").write_text("x = 3\n")
    git(repo, "commit", "-qam", "two")
    code, _, err = check(capsys, "git", "v1.0.0", "--root", repo)
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
    code, out, err = check(capsys, "git", "v1.0.0", "--root", root)
    assert_one_clear_error(code, err, "the checkout cannot be checked", words, "run the release check in the clone")
    assert out == ""


# --- the wheel set ------------------------------------------------------------------------

def test_the_release_set_passes_and_is_reported(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                pyproject: Path) -> None:
    code, out, err = check(capsys, "dist", release_dir, "--pyproject", pyproject, "--tag", f"v{VERSION}")
    assert code == 0, err
    assert out.startswith(f"ok: {release_dir}/ holds exactly the expected wheels, each sound, their METADATA naming "
                          f"{SOURCE}")
    code, out, err = check(capsys, "report", release_dir, "--pyproject", pyproject, "--tag", f"v{VERSION}")
    assert code == 0, err
    rows = [line.split() for line in out.strip().splitlines()[1:-2]]
    assert [(r[0], r[1]) for r in rows] == [("linux", LINUX_NAME), ("windows", f"castagnoli-{VERSION}-{WINDOWS_TAG}.whl")]
    assert out.strip().splitlines()[-1] == f"ready to release v{VERSION}"


def test_the_host_wheel_alone_passes_for_host(capsys: pytest.CaptureFixture[str], host_wheel: Path,
                                              pyproject: Path) -> None:
    assert host_wheel.name == LINUX_NAME
    assert check(capsys, "dist", host_wheel.parent, "--pyproject", pyproject, "--platforms", "host")[0] == 0


def _fifo(d: Path) -> None:
    (d / LINUX_NAME).unlink()
    os.mkfifo(d / LINUX_NAME)


def _symlink(d: Path) -> None:
    target = d.parent / "elsewhere.whl"
    shutil.copy2(next(d.glob("*manylinux*")), target)
    (d / LINUX_NAME).unlink()
    (d / LINUX_NAME).symlink_to(target)


DIR_CASES = {
    "stray file": (lambda d: (d / "notes.txt").write_text("x"), ["stray file"]),
    "hidden file": (lambda d: (d / ".DS_Store").write_text("x"), ["hidden entry"]),
    "sdist": (lambda d: (d / f"castagnoli-{VERSION}.tar.gz").write_text("x"), ["no sdist"]),
    "sub-directory": (lambda d: (d / "sub").mkdir(), ["directory in"]),
    "older version beside": (lambda d: assemble_wheel(d, version="0.0.1"), ["found version '0.0.1'"]),
    "compressed tag set": (lambda d: assemble_wheel(d, tag=WINDOWS_TAG + ".win32"), ["compressed tag set"]),
    "build tag": (lambda d: assemble_wheel(d, filename=f"castagnoli-{VERSION}-1-{WINDOWS_TAG}.whl"), ["build tag"]),
    "control characters in a name": (lambda d: (d / "evil\tlinux\tx.whl").write_text("x"), ["'evil\\tlinux\\tx.whl'"]),
    "FIFO in place of a wheel": (_fifo, ["not a regular file"]),
    "symlink in place of a wheel": (_symlink, ["symbolic link"]),
    "missing windows wheel": (lambda d: next(d.glob("*win_amd64*")).unlink(), ["no windows wheel"]),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("case", DIR_CASES)
def test_a_bad_directory_is_refused_without_change(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                   pyproject: Path, case: str) -> None:
    mutate, words = DIR_CASES[case]
    mutate(release_dir)
    before = snapshot(release_dir) if case != "FIFO in place of a wheel" else None
    code, out, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, *words)
    assert out == ""
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
}


@pytest.mark.timeout(20)
@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # zipfile, writing the duplicate-member case
@pytest.mark.parametrize("case", ARCHIVE_CASES)
def test_an_unsound_archive_is_refused(capsys: pytest.CaptureFixture[str], release_dir: Path, pyproject: Path,
                                       case: str) -> None:
    mutate, words = ARCHIVE_CASES[case]
    mutate(_windows(release_dir))
    code, _, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, *words)


@pytest.mark.parametrize(("tamper", "words"), [
    (lambda rows: rows.append(list(rows[0])), ["more than once"]),
    (lambda rows: rows.append(["castagnoli/ghost.py", rows[0][1], rows[0][2]]), ["not in the wheel"]),
    (lambda rows: rows[0].__setitem__(1, "sha256=AAAA"), ["didn't match RECORD"]),
    (lambda rows: rows[0].__setitem__(2, "1"), ["didn't match RECORD"]),
])
def test_a_record_that_disagrees_with_the_wheel_is_refused(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                           pyproject: Path, tamper: object, words: list[str]) -> None:
    _windows(release_dir).unlink()
    assemble_wheel(release_dir, tamper_record=tamper)  # type: ignore[arg-type]
    code, _, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, *words)


def test_wheel_tag_lines_must_agree_with_the_file_name(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                       pyproject: Path) -> None:
    _windows(release_dir).unlink()
    assemble_wheel(release_dir, tag="py3-none-win_amd64", filename=f"castagnoli-{VERSION}-{WINDOWS_TAG}.whl")
    code, _, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "WHEEL Tag lines", f"expected exactly {WINDOWS_TAG}")


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
    code, _, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_one_clear_error(code, err, f"declares {size} bytes")
    assert time.monotonic() - started < 5 and peak < 50 << 20


def test_members_that_add_up_past_the_total_cap_are_refused(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                            pyproject: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts import wheel

    monkeypatch.setattr(wheel, "MAX_TOTAL_BYTES", 4 << 20)  # each member under the per-member cap, the sum over
    _rewrite(_windows(release_dir), [(f"castagnoli/part{i}", bytes(1 << 20)) for i in range(5)])
    code, _, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "uncompressed: expected at most 4194304")


@pytest.mark.timeout(20)
def test_a_2_gb_junk_file_is_refused_without_reading_it(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                        pyproject: Path) -> None:
    junk = _windows(release_dir)
    with junk.open("wb") as handle:
        handle.truncate(2 << 30)  # sparse: 2 GB that takes no disk
    started = time.monotonic()
    code, _, err = check(capsys, "dist", release_dir, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "2147483648 bytes")
    assert time.monotonic() - started < 5


def test_an_unreadable_or_missing_directory_is_one_clear_error(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path, pyproject: Path) -> None:
    code, _, err = check(capsys, "dist", tmp_path / "missing", "--pyproject", pyproject)
    assert_one_clear_error(code, err, "does not exist", "make wheel")
    (tmp_path / "file").write_text("x")
    code, _, err = check(capsys, "dist", tmp_path / "file", "--pyproject", pyproject)
    assert_one_clear_error(code, err, "is not a directory")


def test_a_bad_platform_list_is_a_usage_error(capsys: pytest.CaptureFixture[str], release_dir: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        release_check.main(["dist", str(release_dir), "--platforms", "macos"])
    assert exit_info.value.code == 2
    assert "unknown platform 'macos'" in capsys.readouterr().err


# --- output under a strict ASCII stdout ------------------------------------------------

def test_non_utf8_and_non_ascii_names_print_escaped_under_a_strict_ascii_stdout(tmp_path: Path, repo: Path,
                                                                                host_wheel: Path) -> None:
    """The process boundary is what is tested: PYTHONIOENCODING=ascii:strict makes any raw byte a crash."""
    weird = tmp_path / os.fsdecode(b"dist-\xff-\xc3\xa9")
    weird.mkdir()
    shutil.copy2(host_wheel, weird)
    stray = tmp_path / "stray"
    stray.mkdir()
    shutil.copy2(host_wheel, stray)
    (stray / os.fsdecode(b"caf\xe9\n\x1b[31m.whl")).write_bytes(b"x")
    runs = {
        "a valid wheel in a non-UTF-8 directory": (["dist", weird, "--platforms", "host"], 0),
        "a non-UTF-8 file name with a newline and an escape": (["dist", stray, "--platforms", "host"], 1),
        "a non-ASCII tag in the git check": (["git", "v0.5.0\xe9", "--root", repo], 0),
        "a non-UTF-8 tag": (["tag", "--pyproject", ROOT / "pyproject.toml", "--", os.fsdecode(b"v\xff")], 1),
        "a pyproject in a non-UTF-8 directory": (["tag", "--pyproject", weird / "pyproject.toml", f"v{VERSION}"],
                                                 1),
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


def test_release_check_sh_without_pyproject_is_one_error_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TAG", "DIST", "GITHUB_REF_TYPE", "GITHUB_STEP_SUMMARY")}
    result = subprocess.run([str(ROOT / "scripts" / "release-check.sh")], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert "is not the project's root: expected pyproject.toml and scripts/ here; cd to the checkout" in result.stderr
    assert "--pyproject" not in result.stderr  # not an option the shell script cannot pass on


def test_the_checkout_alone_is_refused_when_dirty_before_any_wheel_is_looked_at(tmp_path: Path) -> None:
    from conftest import clone_project

    clone = clone_project(tmp_path / "castagnoli")
    (clone / "src" / "castagnoli" / "__init__.py").write_text("# changed\n")  # no dist/ at all: never reached
    env = {k: v for k, v in os.environ.items() if k not in ("TAG", "DIST", "GITHUB_REF_TYPE", "GITHUB_STEP_SUMMARY")}
    result = subprocess.run([str(clone / "scripts" / "release-check.sh"), "--checkout"], cwd=clone, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "uncommitted" in result.stderr, result.stderr
    assert "wheels" not in result.stderr and "Traceback" not in result.stderr
    clean = clone_project(tmp_path / "clean")
    result = subprocess.run([str(clean / "scripts" / "release-check.sh"), "--checkout"], cwd=clean, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "ready to release" not in result.stdout, result.stderr


@pytest.mark.parametrize("summary", ["missing-dir/summary.md", "a-directory", "/dev/full"])
def test_an_unwritable_step_summary_is_one_error_line(capsys: pytest.CaptureFixture[str], host_wheel: Path,
                                                      tmp_path: Path, pyproject: Path, summary: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-directory").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", summary if summary.startswith("/") else str(tmp_path / summary))
    code, out, err = check(capsys, "report", host_wheel.parent, "--platforms", "host", "--tag", f"v{VERSION}",
                           "--pyproject", pyproject)
    assert_one_clear_error(code, err, "cannot append the report to GITHUB_STEP_SUMMARY=")
    assert "ready to release" not in out


def test_the_step_summary_gets_the_table_of_the_wheels(capsys: pytest.CaptureFixture[str], host_wheel: Path,
                                                       tmp_path: Path, pyproject: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' text\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = check(capsys, "report", host_wheel.parent, "--platforms", "host", "--tag", f"v{VERSION}",
                           "--pyproject", pyproject)
    assert code == 0 and out.endswith(f"ready to release v{VERSION}\n"), err
    text = summary.read_text()
    assert text.startswith(f"earlier steps' text\n### Release check: v{VERSION}\n")
    assert f"| linux | `{host_wheel.name}` | {host_wheel.stat().st_size} |" in text


def test_dist_with_a_trailing_slash_is_shown_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TAG", "GITHUB_REF_TYPE")}
    result = subprocess.run([str(ROOT / "scripts" / "release-check.sh"), f"v{VERSION}"], cwd=ROOT,
                            env={**env, "DIST": f"{tmp_path}/"}, capture_output=True, text=True)
    first = result.stdout.splitlines()[0]
    assert f"wheels in {tmp_path}/ (" in first and "//" not in first, first


def test_a_tag_on_an_older_commit_names_the_tag_and_both_ways_out(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import clone_project

    clone = clone_project(tmp_path / "castagnoli")
    git_env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "tag", "v9.9.9"], cwd=clone, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "later"], cwd=clone, check=True, env=git_env)
    assert release_check.main(["git", "v9.9.9", "--root", str(clone)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "git tag -f v9.9.9 && git push --force origin v9.9.9" in line and "bump [project] version" in line
    assert " TAG" not in line


def test_a_missing_dist_says_where_each_kind_of_wheel_comes_from(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert release_check.main(["dist", str(tmp_path / "nonexistent")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "the release set: the CI run's artifacts" in err


def test_metadata_names_are_compared_normalized(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                 host_wheel: Path, pyproject: Path) -> None:
    # core metadata: Name: Castagnoli is the project castagnoli
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy2(host_wheel, dist)
    assemble_wheel(dist, metadata_name="Castagnoli")
    code, _, err = check(capsys, "dist", dist, "--pyproject", pyproject)
    assert code == 0, err


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
    code, _, err = check(capsys, "dist", dist, "--pyproject", pyproject)
    assert_one_clear_error(code, err, f"expected {SOURCE}, the repository that publishes it", "[project.urls]")
    other.unlink()
    assemble_wheel(dist)
    code, out, err = check(capsys, "dist", dist, "--pyproject", pyproject)
    assert code == 0 and "skipped: the run's repository check (GITHUB_REPOSITORY is not set" in out, err
    monkeypatch.setenv("GITHUB_REPOSITORY", repository.upper())  # GitHub names are case-insensitive
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    code, out, err = check(capsys, "dist", dist, "--pyproject", pyproject)
    assert code == 0 and f"ok: this run is in {repository}, the repository that publishes" in out, err
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork")
    monkeypatch.setenv("GITHUB_REF_TYPE", "branch")  # ci.yml on a fork's push: said, not failed
    code, out, err = check(capsys, "dist", dist, "--pyproject", pyproject)
    assert code == 0 and "this is a run of 'someone/fork', not of " + repository + " (a fork)" in out, err
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")  # publish.yml always enforces it
    code, _, err = check(capsys, "dist", dist, "--pyproject", pyproject)
    assert_one_clear_error(code, err, "this release runs in 'someone/fork'", f"expected {repository}")
