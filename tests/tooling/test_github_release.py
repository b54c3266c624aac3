"""scripts/github_release.py against a fake gh that keeps its releases in a file and, like GitHub with immutable
releases, refuses to change the assets of a published release (HTTP 422)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from scripts.__main__ import main
from scripts import github_release

FAKE_GH = r'''
import hashlib, json, os, sys
from pathlib import Path

state_file = Path(os.environ["FAKE_GH_STATE"])
state = json.loads(state_file.read_text())
args = sys.argv[1:]
state["calls"].append(args[:2])

def save():
    state_file.write_text(json.dumps(state))

def find(tag):
    return next((r for r in state["releases"] if r["tag_name"] == tag), None)

def assets(files):
    return [{"name": Path(f).name, "digest": "sha256:" + hashlib.sha256(Path(f).read_bytes()).hexdigest()}
            for f in files]

if os.environ.get("FAKE_GH_FAIL"):
    save()
    sys.exit(print(os.environ["FAKE_GH_FAIL"], file=sys.stderr) or 1)
if args[:1] == ["api"]:
    print(json.dumps([state["releases"]]))
elif args[:2] == ["release", "create"]:
    files = [a for a in args[3:] if a.endswith(".whl")]
    state["releases"].append({"tag_name": args[2], "draft": False, "assets": assets(files), "flags": args[3:]})
elif args[:2] == ["release", "upload"]:
    release = find(args[2])
    if not release["draft"]:
        save()
        sys.exit(print("HTTP 422: Cannot delete asset from an immutable release", file=sys.stderr) or 1)
    new = assets([a for a in args[3:] if a.endswith(".whl")])
    names = {a["name"] for a in new}
    release["assets"] = [a for a in release["assets"] if a["name"] not in names] + new
elif args[:2] == ["release", "edit"]:
    release = find(args[2])
    if "--draft=false" in args:
        release["draft"] = False
    release["latest"] = [a for a in args if a.startswith("--latest=")]
save()
'''


@pytest.fixture
def gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake gh on PATH; returns its state file (releases and the calls made)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f"#!{sys.executable}\n{FAKE_GH}")
    (bin_dir / "gh").chmod(0o755)
    state = tmp_path / "gh-state.json"
    state.write_text(json.dumps({"releases": [], "calls": []}))
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_GH_STATE", str(state))
    return state


def read(state: Path) -> dict[str, list[dict[str, object]]]:
    return json.loads(state.read_text())  # type: ignore[no-any-return]


def add_release(state: Path, tag: str, *, draft: bool = False, assets: list[dict[str, str]] | None = None) -> None:
    data = read(state)
    data["releases"].append({"tag_name": tag, "draft": draft, "assets": assets or []})
    state.write_text(json.dumps(data))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("castagnoli-1.0.0-cp311-abi3-win_amd64.whl", "castagnoli-1.0.0-cp311-abi3-manylinux_2_28_x86_64.whl"):
        (dist / name).write_bytes(f"wheel {name}".encode())
    return dist


def digests(dist: Path) -> list[dict[str, str]]:
    return [{"name": p.name, "digest": f"sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}"}
            for p in sorted(dist.glob("*.whl"))]


def test_the_first_run_creates_the_release_with_its_wheels_in_one_step(gh: Path, dist: Path) -> None:
    assert main(["github-release", "v1.0.0", str(dist)]) == 0
    (release,) = read(gh)["releases"]
    assert release["draft"] is False and release["assets"] == digests(dist)
    assert {"--verify-tag", "--generate-notes", "--latest=true"} <= set(release["flags"])  # type: ignore[arg-type]
    assert read(gh)["calls"] == [["api", "--paginate"], ["release", "create"]]


def test_a_rerun_on_a_published_release_with_equal_digests_uploads_nothing(
        gh: Path, dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_release(gh, "v1.0.0", assets=digests(dist))
    assert main(["github-release", "v1.0.0", str(dist)]) == 0
    assert read(gh)["calls"] == [["api", "--paginate"], ["release", "edit"]]  # only "latest", which stays editable
    assert "digests equal): nothing to upload" in capsys.readouterr().out


def test_a_published_release_with_a_different_asset_fails_naming_both_digests(
        gh: Path, dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assets = digests(dist)
    assets[0] = {**assets[0], "digest": "sha256:" + "0" * 64}
    add_release(gh, "v1.0.0", assets=assets[:1])
    assert main(["github-release", "v1.0.0", str(dist)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all(line.startswith("error: release v1.0.0 ") for line in errors)
    assert f"manylinux_2_28_x86_64.whl has digest 'sha256:{'0' * 64}': expected {digests(dist)[0]['digest']}" \
        in errors[0]
    assert "has no asset castagnoli-1.0.0-cp311-abi3-win_amd64.whl" in errors[1] and "X.Y.Z+1" in errors[1]
    assert ["release", "upload"] not in read(gh)["calls"]


def test_a_published_release_with_an_asset_beside_the_wheels_fails_naming_it(
        gh: Path, dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_release(gh, "v1.0.0", assets=[*digests(dist), {"name": "castagnoli-1.0.0.tar.gz", "digest": "sha256:00"}])
    assert main(["github-release", "v1.0.0", str(dist)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: release v1.0.0 holds 'castagnoli-1.0.0.tar.gz' beside the verified wheels: "
                           "expected exactly the wheels"), line


def test_a_draft_left_by_a_failed_run_is_completed_not_duplicated(gh: Path, dist: Path) -> None:
    add_release(gh, "v1.0.0", draft=True, assets=digests(dist)[:1])
    assert main(["github-release", "v1.0.0", str(dist)]) == 0
    (release,) = read(gh)["releases"]
    assert release["draft"] is False
    assert sorted(a["name"] for a in release["assets"]) == sorted(p.name for p in dist.glob("*.whl"))  # type: ignore[index,union-attr]
    assert read(gh)["calls"] == [["api", "--paginate"], ["release", "upload"], ["release", "edit"]]


def test_a_backport_is_released_but_not_marked_latest(gh: Path, dist: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    add_release(gh, "v1.1.0")
    add_release(gh, "v0.9.0")
    add_release(gh, "v9.0.0", draft=True)  # a draft is not released: it does not count
    assert main(["github-release", "v1.0.0", str(dist)]) == 0
    assert "not the highest version released" in capsys.readouterr().out
    assert "--latest=false" in read(gh)["releases"][-1]["flags"]  # type: ignore[operator]


def test_a_gh_failure_is_one_error_line_and_creates_nothing(gh: Path, dist: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_GH_FAIL", "HTTP 401: Bad credentials")
    assert main(["github-release", "v1.0.0", str(dist)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: 'gh api --paginate' failed") and "HTTP 401: Bad credentials" in line
    assert read(gh)["releases"] == []


def test_without_gh_it_says_gh_is_missing(dist: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["github-release", "v1.0.0", str(dist)]) == 1
    assert capsys.readouterr().err.startswith("error: gh (the GitHub CLI) is not on PATH")


def test_an_empty_dist_or_a_bad_tag_is_refused_before_gh_runs(gh: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["github-release", "v1.0.0", str(tmp_path / "empty")]) == 1
    assert capsys.readouterr().err.startswith("error: no wheels in")
    with pytest.raises(SystemExit) as exit_:
        main(["github-release", "1.0.0", str(tmp_path / "empty")])
    assert exit_.value.code == 2
    assert read(gh)["calls"] == []
