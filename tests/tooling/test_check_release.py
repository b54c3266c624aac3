"""scripts/check_release.py: the pure checks, and its command line on real wheels and files."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, VERSION, assemble_wheel, run_checker, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from check_release import PLATFORMS, check_tag, dist_problems, main, tag_problems, version_form_problem

ALL = [PLATFORMS["linux"], PLATFORMS["windows"]]


# --- pure checks ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["0.0.0", "1.2.3", "10.20.30", "0.5.0", "2026.11.23"])
def test_stable_versions_are_accepted(text: str) -> None:
    assert version_form_problem(text) is None


@pytest.mark.parametrize(("text", "named"), [
    ("1.2.3rc1", "pre-release"), ("1.2.3a1", "pre-release"), ("1.2.3b2", "pre-release"),
    ("1.2.3alpha1", "pre-release"), ("1.2.3beta1", "pre-release"), ("1.2.3-rc.1", "pre-release"),
    ("1.2.3.dev0", "development"), ("1.2.3.post1", "post-release"), ("1.2.3+local", "local"),
    ("1.2", "2 components"), ("1.2.3.4", "4 components"), ("01.2.3", "canonical"),
    ("1.2.3 ", "whitespace"), ("1.2.3\n", "newline"), ("1.\u0662.3", "non-ASCII"),
    ("1!1.2.3", "epoch"), ("banana", "not a version"), ("", "empty"),
])
def test_unstable_or_malformed_versions_are_named(text: str, named: str) -> None:
    problem = version_form_problem(text)
    assert problem is not None and named in problem


def test_tag_must_start_with_lowercase_v() -> None:
    assert "does not start with 'v'" in tag_problems("1.2.3")[0]
    assert "starts with 'V'" in tag_problems("V1.2.3")[0]
    assert tag_problems("v1.2.3") == []


def test_tag_and_pyproject_version_must_match(pyproject: Path) -> None:
    assert check_tag(f"v{VERSION}", pyproject) == []
    (problem,) = check_tag("v99.0.0", pyproject)
    assert f"expected v{VERSION}" in problem and "found 'v99.0.0'" in problem


def test_checks_return_problems_instead_of_printing(pyproject: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_tag("nope", pyproject)
    dist_problems(pyproject.parent / "missing", VERSION, ALL)
    assert capsys.readouterr() == ("", "")


def test_complete_release_set_passes_and_reports_each_wheel(release_dir: Path) -> None:
    infos, problems = dist_problems(release_dir, VERSION, ALL)
    assert problems == []
    assert sorted(i.platform for i in infos) == ["linux", "windows"]
    assert all(len(i.sha256) == 64 and i.size > 0 for i in infos)


def test_real_host_wheel_passes_alone_with_platforms_host(host_wheel: Path) -> None:
    result = run_checker("dist", host_wheel.parent, "--platforms", "host")
    assert result.returncode == 0, result.stderr
    platform, name, size, sha = result.stdout.strip().split("\t")
    assert (platform, name, int(size)) == ("linux", host_wheel.name, host_wheel.stat().st_size)


def test_dist_prints_one_tab_separated_line_per_wheel(release_dir: Path) -> None:
    result = run_checker("dist", release_dir, "--tag", f"v{VERSION}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["linux", "windows"]
    assert result.stderr == ""


def test_tag_command_accepts_the_pyproject_version() -> None:
    result = run_checker("tag", f"v{VERSION}")
    assert result.returncode == 0
    assert result.stderr == ""


def test_help_documents_the_interface() -> None:
    for args, words in [((), ["tag", "dist", "Exit status"]),
                        (("dist",), ["--tag", "--platforms", "--pyproject", "host", "sha256"]),
                        (("tag",), ["--pyproject", "stable X.Y.Z"])]:
        result = run_checker(*args, "--help")
        assert result.returncode == 0
        for word in words:
            assert word in result.stdout, (args, word)


@pytest.mark.parametrize("args", [
    [], ["tag"], ["dist"], ["frobnicate"], ["dist", "dist", "--platforms", "macos"],
    ["dist", "dist", "--platforms", ","], ["tag", "v1.2.3", "--bogus"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run_checker(*args)
    assert result.returncode == 2
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_returns_instead_of_exiting(pyproject: Path) -> None:
    assert main(["tag", f"v{VERSION}", "--pyproject", str(pyproject)]) == 0
    assert main(["tag", "v0.0.0rc1", "--pyproject", str(pyproject)]) == 1


# --- hypothesis: arbitrary tags -------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_tags_only_ever_give_exit_0_or_1(tag: str) -> None:
    pyproject = ROOT / "pyproject.toml"
    # '--' ends the options, as release-check.sh passes tags, so a tag may start with '-'.
    assert main(["tag", "--pyproject", str(pyproject), "--", tag]) in (0, 1)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"v[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}", fullmatch=True))
def test_arbitrary_numeric_tags_pass_exactly_when_canonical_and_equal(tag: str) -> None:
    problems = check_tag(tag, ROOT / "pyproject.toml")
    assert (problems == []) == (tag == f"v{VERSION}")


# --- the table of bad inputs -------------------------------------------------------
# Each case builds its files in tmp_path and returns the command line; every one must
# exit 1 with an 'error:' line naming the problem, no traceback, and leave DIR as it was.

Case = Callable[[Path, Path], list[str]]


def _pyproject(text: str) -> Callable[[Path, Path], list[str]]:
    def case(tmp: Path, dist: Path) -> list[str]:
        (tmp / "pp.toml").write_text(text)
        return ["tag", f"v{VERSION}", "--pyproject", str(tmp / "pp.toml")]
    return case


def _tag(tag: str) -> Case:
    return lambda tmp, dist: ["tag", tag]


def _dist(mutate: Callable[[Path], object], *extra: str) -> Case:
    def case(tmp: Path, dist: Path) -> list[str]:
        mutate(dist)
        return ["dist", str(dist), *extra]
    return case


def _replace_windows(**kwargs: object) -> Callable[[Path], object]:
    def mutate(dist: Path) -> None:
        for wheel in dist.glob("*win_amd64.whl"):
            wheel.unlink()
        assemble_wheel(dist, **kwargs)  # type: ignore[arg-type]
    return mutate


def _bad_hash(rows: list[list[str]]) -> None:
    rows[0][1] = "sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _bad_size(rows: list[list[str]]) -> None:
    rows[0][2] = "999999"


def _unlisted(rows: list[list[str]]) -> None:
    del rows[0]


def _md5(rows: list[list[str]]) -> None:
    rows[0][1] = "md5=abc"


def _rename_linux(suffix: str) -> Callable[[Path], object]:
    def mutate(dist: Path) -> None:
        (wheel,) = dist.glob("*manylinux*.whl")
        wheel.rename(dist / f"castagnoli-{VERSION}-{suffix}.whl")
    return mutate


def _truncate_linux(dist: Path) -> None:
    (wheel,) = dist.glob("*manylinux*.whl")
    wheel.write_bytes(wheel.read_bytes()[:200])


def _copy_linux_as_duplicate(dist: Path) -> None:
    (wheel,) = dist.glob("*manylinux*.whl")
    shutil.copy2(wheel, dist / wheel.name.replace("manylinux1_x86_64.", "manylinux2014_x86_64."))


def _corrupt_member(dist: Path) -> None:
    (wheel,) = dist.glob("*win_amd64.whl")
    with zipfile.ZipFile(wheel) as zf:
        info = zf.getinfo("castagnoli/__init__.py")
    data = bytearray(wheel.read_bytes())
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len  # the member's compressed bytes
    data[start + info.compress_size // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))


BAD: dict[str, tuple[Case, str]] = {
    # tags
    "tag-no-v": (_tag(VERSION), "does not start with 'v'"),
    "tag-capital-V": (_tag(f"V{VERSION}"), "starts with 'V'"),
    "tag-rc": (_tag(f"v{VERSION}rc1"), "pre-release"),
    "tag-a": (_tag(f"v{VERSION}a1"), "pre-release"),
    "tag-b": (_tag(f"v{VERSION}b1"), "pre-release"),
    "tag-alpha": (_tag(f"v{VERSION}alpha"), "pre-release"),
    "tag-beta": (_tag(f"v{VERSION}-beta.2"), "pre-release"),
    "tag-dash-rc": (_tag(f"v{VERSION}-rc.1"), "pre-release"),
    "tag-dev": (_tag(f"v{VERSION}.dev1"), "development"),
    "tag-post": (_tag(f"v{VERSION}.post1"), "post-release"),
    "tag-local": (_tag(f"v{VERSION}+local"), "local"),
    "tag-two-components": (_tag("v0.5"), "2 components"),
    "tag-four-components": (_tag(f"v{VERSION}.0"), "4 components"),
    "tag-leading-zero": (_tag("v0.05.0"), "canonical"),
    "tag-trailing-newline": (_tag(f"v{VERSION}\n"), "newline"),
    "tag-leading-space": (_tag(f" v{VERSION}"), "does not start with 'v'"),
    "tag-inner-space": (_tag("v0.5. 0"), "whitespace"),
    "tag-arabic-digits": (_tag("v\u0660.\u0665.\u0660"), "non-ASCII"),
    "tag-fullwidth-digits": (_tag("v\uff10.\uff15.\uff10"), "non-ASCII"),
    "tag-empty": (_tag(""), "does not start with 'v'"),
    "tag-just-v": (_tag("v"), "empty"),
    "tag-mismatch": (_tag("v0.5.1"), f"expected v{VERSION}"),
    "tag-ref-path": (_tag(f"refs/tags/v{VERSION}"), "does not start with 'v'"),
    # pyproject files
    "pyproject-missing": (lambda tmp, d: ["tag", f"v{VERSION}", "--pyproject", str(tmp / "nope.toml")],
                          "does not exist"),
    "pyproject-is-a-directory": (lambda tmp, d: ["tag", f"v{VERSION}", "--pyproject", str(tmp)], "cannot be read"),
    "pyproject-invalid-toml": (_pyproject('[project\nversion = "0.5.0"\n'), "not valid TOML"),
    "pyproject-not-utf8": (lambda tmp, d: [(tmp / "pp.toml").write_bytes(b'[project]\nname = "\xff"\n'),
                                           "tag", f"v{VERSION}", "--pyproject", str(tmp / "pp.toml")][1:],
                           "cannot be read"),
    "pyproject-no-project": (_pyproject('[tool.x]\nversion = "0.5.0"\n'), "no [project] table"),
    "pyproject-no-version": (_pyproject('[project]\nname = "castagnoli"\n'), "no [project] version"),
    "pyproject-dynamic-version": (_pyproject('[project]\nname = "castagnoli"\ndynamic = ["version"]\n'),
                                  "dynamic"),
    "pyproject-version-number": (_pyproject('[project]\nversion = 0.5\n'), "is a float"),
    "pyproject-version-rc": (_pyproject('[project]\nversion = "0.5.0rc1"\n'), "pre-release"),
    "pyproject-version-two-parts": (_pyproject('[project]\nversion = "0.5"\n'), "2 components"),
    "pyproject-version-dev": (_pyproject('[project]\nversion = "0.5.0.dev3"\n'), "development"),
    # dist sets
    "dist-missing": (lambda tmp, d: ["dist", str(tmp / "nowhere")], "does not exist"),
    "dist-is-a-file": (lambda tmp, d: ["dist", str(next(d.glob("*.whl")))], "is not a directory"),
    "dist-empty": (_dist(lambda d: [w.unlink() for w in d.glob("*.whl")]), "no linux wheel"),
    "dist-no-windows": (_dist(lambda d: [w.unlink() for w in d.glob("*win*.whl")]), "no windows wheel"),
    "dist-no-linux": (_dist(lambda d: [w.unlink() for w in d.glob("*linux*.whl")]), "no linux wheel"),
    "dist-sdist": (_dist(lambda d: (d / f"castagnoli-{VERSION}.tar.gz").write_bytes(b"x")), "source distribution"),
    "dist-stray-file": (_dist(lambda d: (d / "SHA256SUMS").write_text("x")), "stray file"),
    "dist-hidden-file": (_dist(lambda d: (d / ".DS_Store").write_text("x")), "hidden entry"),
    "dist-subdirectory": (_dist(lambda d: (d / "wheels-ubuntu").mkdir()), "directory in"),
    "dist-duplicate-linux": (_dist(_copy_linux_as_duplicate), "2 linux wheels"),
    "dist-unrepaired-linux-tag": (_dist(_rename_linux("py3-none-linux_x86_64")), "auditwheel repair"),
    "dist-any-tag": (_dist(_rename_linux("py3-none-any")), "platform tag is any"),
    "dist-cpython-abi-tag": (_dist(_rename_linux("cp310-cp310-manylinux_2_28_x86_64")), "expected py3-none"),
    "dist-musllinux-tag": (_dist(_rename_linux("py3-none-musllinux_1_2_x86_64")), "platform tag is musllinux"),
    "dist-win32-wheel": (_dist(_replace_windows(tag="py3-none-win32")), "platform tag is win32"),
    "dist-invalid-filename": (_dist(lambda d: (d / "castagnoli.whl").write_bytes(b"x")), "not a valid wheel filename"),
    "dist-other-project": (_dist(lambda d: assemble_wheel(d, name="crc32c", tag="py3-none-win_amd64")),
                           "project is 'crc32c'"),
    "dist-old-version": (_dist(_replace_windows(version="0.4.9")), "expected 0.5.0"),
    "dist-truncated-zip": (_dist(_truncate_linux), "not a readable zip"),
    "dist-corrupt-member": (_dist(_corrupt_member), "corrupt"),
    "dist-record-hash": (_dist(_replace_windows(tamper_record=_bad_hash)), "RECORD hash for castagnoli/__init__.py"),
    "dist-record-size": (_dist(_replace_windows(tamper_record=_bad_size)), "found '999999'"),
    "dist-record-unlisted": (_dist(_replace_windows(tamper_record=_unlisted)), "not in RECORD"),
    "dist-record-md5": (_dist(_replace_windows(tamper_record=_md5)), "expected sha256"),
    "dist-purelib": (_dist(_replace_windows(purelib="true")), "Root-Is-Purelib: true"),
    "dist-no-library": (_dist(_replace_windows(files={"castagnoli/__init__.py": b""})),
                        "native library castagnoli/castagnoli.dll is missing"),
    "dist-library-in-data": (_dist(_replace_windows(files={
        f"castagnoli-{VERSION}.data/purelib/castagnoli/castagnoli.dll": b"MZ"})), "not under .data"),
    "dist-metadata-version": (_dist(_replace_windows(metadata_version="0.4.0")), "METADATA Version is '0.4.0'"),
    "dist-tag-mismatch": (_dist(lambda d: None, "--tag", "v0.6.0"), f"expected v{VERSION}"),
    "dist-tag-prerelease": (_dist(lambda d: None, "--tag", f"v{VERSION}rc1"), "pre-release"),
    "dist-only-host-platform-but-windows-present": (_dist(lambda d: None, "--platforms", "linux"),
                                                   "platform tag is win_amd64"),
}


def test_the_bad_input_table_has_at_least_40_cases() -> None:
    assert len(BAD) >= 40


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_1_with_one_clear_error_and_changes_nothing(case: str, tmp_path: Path,
                                                                    release_dir: Path) -> None:
    make_args, named = BAD[case]
    args = make_args(tmp_path, release_dir)
    before = snapshot(tmp_path)
    result = run_checker(*args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors, result.stderr
    assert result.stderr.splitlines() == errors  # nothing but error lines
    assert any(named in line for line in errors), errors
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def test_every_error_line_says_what_was_expected(release_dir: Path, tmp_path: Path) -> None:
    failures = []
    for name, (make_args, _) in BAD.items():
        case_dir = tmp_path / name
        shutil.copytree(release_dir, case_dir / "dist")
        result = run_checker(*make_args(case_dir, case_dir / "dist"))
        failures += [(name, line) for line in result.stderr.splitlines() if "expected" not in line]
    assert failures == []
