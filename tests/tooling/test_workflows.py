"""The release decisions in .github/ that no linter checks (zizmor --persona pedantic, run by tox -e lint,
refuses top-level grants, ${{ }} in run, caches, credentials kept by checkout and unpinned actions), checked
statically: GitHub cannot run here."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, make_targets, tox_envs

WORKFLOWS = ROOT / ".github" / "workflows"
SHA_PIN = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40})  # (v\d+(?:\.\d+)*)\s*$")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


PUBLISH, CI = load("publish.yml"), load("ci.yml")
JOBS = PUBLISH["jobs"]
STEPS = [(wf, name, step) for wf, data in (("publish.yml", PUBLISH), ("ci.yml", CI))
         for name, job in data["jobs"].items() for step in job.get("steps", [])]


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def test_publish_starts_on_any_tag_that_looks_like_a_release_on_any_branch() -> None:
    # v0.5, V0.5.1 and 0.5.1 start it too, so that check-tag fails naming the tag to push; only vX.Y.Z passes
    patterns = PUBLISH["on"]["push"]["tags"]
    assert list(PUBLISH["on"]) == ["push"] and list(PUBLISH["on"]["push"]) == ["tags"]

    def starts(tag: str) -> bool:  # GitHub's filter glob: * is any run of characters but /
        return any(fnmatch.fnmatchcase(tag, pattern) and "/" not in tag for pattern in patterns)

    assert all(starts(tag) for tag in ["v0.5.1", "v10.0.0", "V0.5.1", "0.5.1", "v0.5", "v1.2.3rc1"])
    assert not any(starts(tag) for tag in ["vendor-fix", "v-next", "Version-2", "release-1.0", "latest"])


def test_publish_runs_its_jobs_in_order_each_with_only_what_it_needs_and_no_approval() -> None:
    assert {name: job.get("needs") for name, job in JOBS.items()} == {
        "check-tag": None, "wheels": "check-tag", "verify": "wheels", "publish": "verify",
        "published-check": "publish", "github-release": "published-check"}
    for name, job in JOBS.items():
        write = {key for key, value in job["permissions"].items() if value == "write"}
        assert write == {"publish": {"id-token"}, "github-release": {"contents"}}.get(name, set()), name
        assert "if" not in job and "continue-on-error" not in str(job), name  # every job runs, none may fail
    assert JOBS["publish"]["environment"]["name"] == "pypi"  # the trusted publisher's environment: no reviewers


def test_publish_uploads_exactly_the_verified_set_by_trusted_publishing_once() -> None:
    download, upload = JOBS["publish"]["steps"]
    assert uses(download) == "actions/download-artifact" and download["with"] == {"name": "release-dist",
                                                                                   "path": "dist"}
    assert uses(upload) == "pypa/gh-action-pypi-publish"
    assert not {"password", "user", "repository-url", "skip-existing", "attestations"} & set(upload.get("with", {}))
    for path in WORKFLOWS.glob("*.yml"):
        assert "retry" not in path.read_text().lower() and "--sdist" not in path.read_text(), path.name
    for wf, job, step in STEPS:  # a re-run replaces an artifact instead of failing on its name
        if uses(step) == "actions/upload-artifact":
            assert step["with"].get("overwrite") is True, (wf, job)


def test_every_run_step_is_a_command_a_developer_types() -> None:
    for wf, job, step in STEPS:
        command = str(step.get("run", "make help")).strip()
        words = shlex.split(command)
        assert "\n" not in command, (wf, job, command)
        if words[0] == "make":
            assert words[1] in make_targets(), (wf, job, command)
        elif words[:3] == ["tox", "run", "-e"]:
            assert words[3] in tox_envs(), (wf, job, command)
        elif words[:4] != ["python", "-m", "pip", "install"]:  # the tox bootstrap
            assert words == [".ci/run"] and os.access(ROOT / ".ci" / "run", os.X_OK), (wf, job, command)


def vetted_pins(path: Path) -> dict[tuple[str, str], str]:
    """(action, sha) -> version, from a markdown table of vetted pins: | action | version | SHA | ..."""
    return {(action, sha): version for action, version, sha in re.findall(
        r"^\| ([\w-]+/[\w-]+)[^|]*\| (v[\d.]+) \| ([0-9a-f]{40}) \|", path.read_text(), flags=re.M)}


def test_every_pin_is_a_vetted_one_from_releasing() -> None:
    vetted, used = vetted_pins(ROOT / "RELEASING.md"), set()
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in (line for line in path.read_text().splitlines() if "uses:" in line):
            match = SHA_PIN.match(line)
            assert match and vetted.get(match.group(1, 2)) == match[3], (path.name, line, "not a vetted pin")
            used.add(match.group(1, 2))
    assert used == set(vetted), "RELEASING.md vets exactly the pins the workflows use"


def test_releasings_vetted_pins_are_the_teams() -> None:
    shared = ROOT.parent / "shared" / "action-pins.md"
    if not shared.exists():
        pytest.skip("the team's ../shared/action-pins.md is not beside this checkout")
    team = vetted_pins(shared)
    assert team and vetted_pins(ROOT / "RELEASING.md").items() <= team.items()
