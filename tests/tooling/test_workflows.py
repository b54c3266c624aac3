"""Every release decision in .github/, checked statically (GitHub cannot run here)."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, make_targets, tox_config, tox_envs

WORKFLOWS = ROOT / ".github" / "workflows"
SHA_PIN = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40})  # (v\d+(?:\.\d+)*)\s*$")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


PUBLISH = load("publish.yml")
CI = load("ci.yml")
JOBS = PUBLISH["jobs"]


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def all_steps() -> list[tuple[str, str, dict[str, Any]]]:
    return [(wf, name, step) for wf, data in (("publish.yml", PUBLISH), ("ci.yml", CI))
            for name, job in data["jobs"].items() for step in steps(job)]


# --- trigger, order, permissions -------------------------------------------------

def test_publish_runs_on_pushed_tags_that_look_like_releases_on_any_branch() -> None:
    # v0.5, V0.5.1 and 0.5.1 start the workflow too, so that check-tag fails naming the tag to push
    # instead of nothing happening; only vX.Y.Z passes check-tag, which every other job needs.
    assert list(PUBLISH["on"]) == ["push"] and list(PUBLISH["on"]["push"]) == ["tags"]
    patterns = PUBLISH["on"]["push"]["tags"]

    def starts(tag: str) -> bool:  # GitHub's filter glob: * is any run of characters but /
        return any(fnmatch.fnmatchcase(tag, pattern) and "/" not in tag for pattern in patterns)

    assert all(starts(tag) for tag in ["v0.5.1", "v10.0.0", "V0.5.1", "0.5.1", "v0.5", "v1.2.3rc1"])
    assert not any(starts(tag) for tag in ["vendor-fix", "v-next", "Version-2", "release-1.0", "latest"])


def test_publish_jobs_run_in_order_check_tag_wheels_verify_publish_published_check_github_release() -> None:
    needs = {name: job.get("needs") for name, job in JOBS.items()}
    assert needs == {"check-tag": None, "wheels": "check-tag", "verify": "wheels",
                     "publish": "verify", "published-check": "publish",
                     "github-release": "published-check"}


def test_the_published_check_reads_pypi_with_the_verified_set_and_no_token() -> None:
    job = JOBS["published-check"]
    step = _step_with_run(job, "make published-check")
    assert step["env"] == {"DIST": "dist", "INDEX_URL": "https://pypi.org/simple/"}
    downloads = [s for s in steps(job) if uses(s) == "actions/download-artifact"]
    assert [d["with"] for d in downloads] == [{"name": "release-dist", "path": "dist"}]
    assert "--require-provenance" not in str(job) and "WAIT" not in str(job)  # PyPI: provenance always checked


def test_each_publish_job_asks_only_for_what_it_needs() -> None:
    granted = {name: job.get("permissions") for name, job in JOBS.items()}
    assert granted == {
        "check-tag": {"contents": "read"},
        "wheels": {"contents": "read"},
        "verify": {"contents": "read"},
        "publish": {"id-token": "write"},
        "published-check": {"contents": "read"},
        "github-release": {"contents": "write"},
    }


def test_ci_jobs_only_read() -> None:
    assert {name: job.get("permissions") for name, job in CI["jobs"].items()} == {
        "test": {"contents": "read"}, "wheels": {"contents": "read"}, "release-check": {"contents": "read"}}


def test_publish_never_cancels_a_release_in_progress_and_groups_per_tag() -> None:
    assert PUBLISH["concurrency"] == {"group": "publish-${{ github.ref }}", "cancel-in-progress": False}


def test_every_job_has_a_timeout() -> None:
    for data in (PUBLISH, CI):
        for name, job in data["jobs"].items():
            assert isinstance(job.get("timeout-minutes"), int), name


# --- supply chain ---------------------------------------------------------------
# zizmor --persona pedantic (tox -e lint, below) already refuses permissions granted at the top
# (excessive-permissions), ${{ }} inside run (template-injection) and caches in the release workflow
# (cache-poisoning): the tests here check what it does not.


def test_lint_runs_zizmor_pedantic_on_every_workflow() -> None:
    assert "zizmor --offline --persona pedantic .github" in tox_config()["testenv:lint"]["commands"]


def _uses_lines() -> list[tuple[str, str]]:
    return [(path.name, line) for path in sorted(WORKFLOWS.glob("*.yml"))
            for line in path.read_text().splitlines() if "uses:" in line]


def test_every_action_is_pinned_by_full_sha_with_its_version_in_a_comment() -> None:
    lines = _uses_lines()
    assert lines
    for name, line in lines:
        assert SHA_PIN.match(line), (name, line)


def test_each_action_is_pinned_at_one_sha_and_version_across_the_workflows() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for _, line in _uses_lines():
        match = SHA_PIN.match(line)
        assert match, line
        action, sha, version = match.groups()
        pins.setdefault(action, set()).add((sha, version))
    assert pins and all(len(found) == 1 for found in pins.values()), pins


def vetted_pins(path: Path) -> dict[tuple[str, str], str]:
    """(action, sha) -> version, from a markdown table of vetted pins: | action | version | SHA | ..."""
    return {(action, sha): version for action, version, sha in re.findall(
        r"^\| ([\w-]+/[\w-]+)[^|]*\| (v[\d.]+) \| ([0-9a-f]{40}) \|", path.read_text(), flags=re.M)}


def test_every_pin_is_a_vetted_one_from_releasing() -> None:
    vetted = vetted_pins(ROOT / "RELEASING.md")
    used = set()
    for name, line in _uses_lines():
        match = SHA_PIN.match(line)
        assert match, line
        action, sha, version = match.groups()
        assert vetted.get((action, sha)) == version, (name, line, "not in RELEASING.md's vetted pins")
        used.add((action, sha))
    assert used == set(vetted), "RELEASING.md vets exactly the pins the workflows use"


def test_releasings_vetted_pins_are_the_teams() -> None:
    shared = ROOT.parent / "shared" / "action-pins.md"
    if not shared.exists():
        pytest.skip("the team's ../shared/action-pins.md is not beside this checkout")
    team = vetted_pins(shared)
    assert team and vetted_pins(ROOT / "RELEASING.md").items() <= team.items()


def test_every_checkout_drops_its_credentials() -> None:
    checkouts = [(wf, job, step) for wf, job, step in all_steps() if uses(step) == "actions/checkout"]
    assert checkouts
    for wf, job, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, (wf, job)


# --- what each job does ------------------------------------------------------------

def _runs(job: dict[str, Any]) -> list[str]:
    return [str(step["run"]).strip() for step in steps(job) if "run" in step]


def _step_with_run(job: dict[str, Any], command: str) -> dict[str, Any]:
    return next(step for step in steps(job) if str(step.get("run", "")).strip() == command)


def test_check_tag_runs_the_release_checks_tag_check_with_the_pushed_tag() -> None:
    step = _step_with_run(JOBS["check-tag"], "make check-tag")
    assert step["env"] == {"TAG": "${{ github.ref_name }}"}


def test_wheels_are_built_by_tox_wheels_on_linux_and_windows_and_uploaded_per_os() -> None:
    job = JOBS["wheels"]
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "windows-latest"]
    assert "tox run -e wheels" in _runs(job)
    (upload,) = [s for s in steps(job) if uses(s) == "actions/upload-artifact"]
    assert upload["with"]["name"] == "wheels-${{ matrix.os }}"
    assert upload["with"]["path"] == "dist/*.whl"


def test_verify_merges_the_wheels_and_runs_release_check_on_the_full_set_before_publish() -> None:
    job = JOBS["verify"]
    (download,) = [s for s in steps(job) if uses(s) == "actions/download-artifact"]
    assert download["with"] == {"pattern": "wheels-*", "merge-multiple": True, "path": "dist"}
    check = _step_with_run(job, "make release-check")
    assert check["env"] == {"TAG": "${{ github.ref_name }}", "DIST": "dist"}
    names = [uses(s) or s.get("run") for s in steps(job)]
    assert names.index("make release-check") < names.index("make conflict-check") < names.index("actions/upload-artifact")
    assert _step_with_run(job, "make conflict-check")["env"] == {"DIST": "dist", "INDEX_URL": "https://pypi.org/simple/"}
    from scripts.cli import wheel_scope  # DIST set: the full release set

    assert wheel_scope(None, None, check["env"]) == (Path("dist"), "linux,windows")


def test_publish_job_only_downloads_the_verified_wheels_and_publishes_them() -> None:
    job = JOBS["publish"]
    assert [uses(s) for s in steps(job)] == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    download, publish = steps(job)
    assert download["with"] == {"name": "release-dist", "path": "dist"}  # always the whole verified set
    options = publish.get("with", {})
    assert not {"password", "user", "repository-url", "skip-existing", "attestations"} & set(options)
    assert options.get("packages-dir", "dist/") == "dist/"
    assert job["environment"] == {"name": "pypi", "url": "https://pypi.org/project/castagnoli/"}
    assert "continue-on-error" not in job and not any("continue-on-error" in s for s in steps(job))


def test_no_job_but_publish_can_get_an_oidc_token() -> None:
    for name, job in JOBS.items():
        assert (job["permissions"].get("id-token") == "write") == (name == "publish")


def test_release_job_attaches_the_wheels_with_generated_notes_marked_latest() -> None:
    job = JOBS["github-release"]
    step = _step_with_run(job, "make github-release")
    assert step["env"]["DIST"] == "dist"
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert step["env"]["TAG"] == "${{ github.ref_name }}"
    downloads = [s for s in steps(job) if uses(s) == "actions/download-artifact"]
    assert [d["with"] for d in downloads] == [{"name": "release-dist", "path": "dist"}]


def test_nothing_builds_an_sdist() -> None:
    texts = [p.read_text() for p in WORKFLOWS.glob("*.yml")]
    texts += [(ROOT / p).read_text() for p in ("tox.ini", "Makefile", "scripts/build_wheels.py")]  # (a module)
    for text in texts:
        assert "--sdist" not in text
        for line in text.splitlines():
            if "-m build" in line or '"build", "--' in line:
                assert "--wheel" in line, line


# --- CI mirrors the Makefile --------------------------------------------------------

def test_every_run_step_calls_an_existing_make_tox_or_scripts_entry_point() -> None:
    bootstrap = 'python -m pip install "tox>=4.22"'
    for wf, job, step in all_steps():
        if "run" not in step:
            continue
        command = str(step["run"]).strip()
        assert "\n" not in command, (wf, job, command)
        if command == bootstrap:
            continue
        words = shlex.split(command)
        if words[0] == "make":
            assert words[1] in make_targets(), (wf, job, command)
        elif words[:3] == ["tox", "run", "-e"]:
            assert words[3] in tox_envs(), (wf, job, command)
        else:
            assert words[0] == ".ci/run", (wf, job, command)  # every other step is a make target or a tox env
            assert os.access(ROOT / words[0], os.X_OK), (wf, job, command)


def test_tox_bootstrap_matches_the_makefile() -> None:
    assert "'tox>=4.22'" in (ROOT / "Makefile").read_text()
    assert "requires = tox>=4.22" in (ROOT / "tox.ini").read_text()


def test_ci_runs_make_test_and_builds_wheels_on_both_oses() -> None:
    assert set(CI["on"]) == {"push", "pull_request"}
    assert ".ci/run" in _runs(CI["jobs"]["test"])  # what CI runs here, so the Windows and QEMU tests run there too
    assert CI["jobs"]["wheels"]["strategy"]["matrix"]["os"] == ["ubuntu-latest", "windows-latest"]
    assert "tox run -e wheels" in _runs(CI["jobs"]["wheels"])
    release_check = CI["jobs"]["release-check"]
    assert release_check["needs"] == "wheels"
    assert _step_with_run(release_check, "make release-check")["env"] == {"DIST": "dist"}


def test_dependabot_keeps_action_pins_current() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    ecosystems = {u["package-ecosystem"] for u in config["updates"]}
    assert ecosystems == {"github-actions", "pip"}
    pips = {u["directory"] for u in config["updates"] if u["package-ecosystem"] == "pip"}
    assert pips == {"/requirements", "/"}  # the release lock, and pyproject.toml's [dependency-groups] test
    assert (ROOT / "requirements" / "release.txt").is_file()


def test_the_package_tests_run_with_exact_pins_from_one_place() -> None:
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = pyproject["dependency-groups"]["test"]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", pin) for pin in pins), pins
    assert pyproject["tool"]["cibuildwheel"]["test-groups"] == ["test"]
    assert "test-requires" not in pyproject["tool"]["cibuildwheel"]
    assert tox_config()["testenv"]["dependency_groups"].strip() == "test"


def test_generated_release_notes_leave_out_dependabot() -> None:
    config = yaml.safe_load((ROOT / ".github" / "release.yml").read_text())
    assert "dependabot[bot]" in config["changelog"]["exclude"]["authors"]


# --- safe re-runs ---------------------------------------------------------------------

def test_reruns_replace_artifacts_and_publish_needs_no_plan() -> None:
    for data in (PUBLISH, CI):
        for job in data["jobs"].values():
            for step in steps(job):
                if uses(step) == "actions/upload-artifact":
                    assert step["with"].get("overwrite") is True, step
    assert "if" not in JOBS["publish"] and "if" not in JOBS["github-release"]
    assert "pypi-upload" not in (WORKFLOWS / "publish.yml").read_text()


def test_no_skip_existing_and_no_retry_anywhere() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert "skip-existing" not in text and "retry" not in text.lower(), path.name
