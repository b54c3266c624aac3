"""scripts/release-check.sh: tag resolution, the full check chain, the report and the job summary."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, VERSION, assemble_wheel, snapshot

SCRIPT = ROOT / "scripts" / "release-check.sh"


def run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in {"TAG", "DIST", "GITHUB_REF_NAME", "GITHUB_REF_TYPE", "GITHUB_STEP_SUMMARY"}}
    return subprocess.run(["bash", str(SCRIPT), *args], env={**base, **(env or {})}, cwd=cwd,
                          capture_output=True, text=True)


def test_full_release_set_is_ready_to_release(release_dir: Path) -> None:
    result = run(env={"DIST": str(release_dir), "TAG": f"v{VERSION}"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ok: tag" in out and "twine check --strict passed" in out
    assert out.rstrip().endswith(f"ready to release v{VERSION}")
    for wheel in release_dir.iterdir():
        assert wheel.name in out
    assert "linux " in out and "windows " in out
    assert "plan for CI" not in out  # only shown for the local host-wheel check


def test_report_lists_platform_size_and_sha256_of_each_wheel(release_dir: Path) -> None:
    import hashlib

    result = run(env={"DIST": str(release_dir)})
    for wheel in release_dir.iterdir():
        line = next(line for line in result.stdout.splitlines() if wheel.name in line)
        assert str(wheel.stat().st_size) in line
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() in line


def test_step_summary_gets_a_markdown_table(release_dir: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    result = run(env={"DIST": str(release_dir), "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.stderr
    text = summary.read_text()
    assert text.startswith("earlier step\n")  # appended, not overwritten
    assert f"### Release check: v{VERSION}" in text
    assert "| platform | wheel | bytes | sha256 |" in text
    assert text.count("| linux |") == 1 and text.count("| windows |") == 1


@pytest.mark.parametrize(("args", "env", "expected"), [
    (["v9.9.9"], {"TAG": "v8.8.8", "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v7.7.7"}, "v9.9.9 (from argument)"),
    ([], {"TAG": "v8.8.8", "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v7.7.7"}, "v8.8.8 (from TAG)"),
    ([], {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v7.7.7"}, "v7.7.7 (from GITHUB_REF_NAME)"),
    ([], {"GITHUB_REF_TYPE": "branch", "GITHUB_REF_NAME": "main"}, f"v{VERSION} (from pyproject.toml)"),
    ([], {}, f"v{VERSION} (from pyproject.toml)"),
])
def test_tag_is_resolved_from_argument_then_TAG_then_github_ref_then_pyproject(
        args: list[str], env: dict[str, str], expected: str, release_dir: Path) -> None:
    result = run(*args, env={"DIST": str(release_dir), **env})
    assert f"release check for tag {expected}" in result.stdout


@pytest.mark.parametrize(("tag", "named"), [("v0.5.1", f"expected v{VERSION}"), (f"v{VERSION}rc1", "pre-release"),
                                            ("-v1", "does not start with 'v'")])
def test_bad_tag_fails_with_one_error_line_before_looking_at_wheels(tag: str, named: str, release_dir: Path) -> None:
    result = run(env={"DIST": str(release_dir), "TAG": tag})
    assert result.returncode == 1
    assert result.stderr.count("error:") == 1 and named in result.stderr
    assert "Traceback" not in result.stderr
    assert "ready to release" not in result.stdout


def test_incomplete_set_fails_and_leaves_dist_unchanged(release_dir: Path) -> None:
    next(release_dir.glob("*win_amd64.whl")).unlink()
    before = snapshot(release_dir)
    result = run(env={"DIST": str(release_dir)})
    assert result.returncode == 1
    assert "no windows wheel" in result.stderr
    assert snapshot(release_dir) == before


def test_twine_check_failure_is_reported(tmp_path: Path, host_wheel: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy2(host_wheel, dist)
    # A sound wheel by our checks, but metadata twine refuses: an unknown Metadata-Version.
    assemble_wheel(dist, metadata_header="Metadata-Version: 9.9")
    result = run(env={"DIST": str(dist)})
    assert result.returncode == 1
    assert "twine check --strict rejected the wheels" in result.stderr
    assert "ok: twine" not in result.stdout


def test_too_many_arguments_is_a_usage_error() -> None:
    result = run("v1.0.0", "v2.0.0")
    assert result.returncode == 2
    assert result.stderr.startswith("error: expected at most one argument")
