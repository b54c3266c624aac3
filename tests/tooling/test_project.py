"""The front door: Makefile help and wrappers, tox env descriptions, .ci/run."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, make_targets, tox_config, tox_envs

MAKEFILE = (ROOT / "Makefile").read_text()


def test_make_with_no_target_prints_help_listing_every_target() -> None:
    out = subprocess.run(["make", "--no-print-directory"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert listed == make_targets()
    for line in out.splitlines():
        assert len(line.split(None, 1)) == 2, f"target without a description: {line!r}"


def test_make_targets_are_thin_wrappers_over_tox_envs() -> None:
    envs = tox_envs()
    for target, recipe in re.findall(r"^([a-z-]+):.*## .*\n((?:\t.*\n)*)", MAKEFILE, flags=re.M):
        lines = [line.strip() for line in recipe.splitlines()]
        if target in ("help", "clean"):
            continue
        assert len(lines) == 1, (target, lines)
        called = re.match(r"\$\(TOX\) run(?: -qq)?(?: -e ([a-z-]+))?(?: |$)", lines[0])
        assert called, (target, lines[0])
        assert called.group(1) is None or called.group(1) in envs


def test_tox_lists_its_envs_with_descriptions() -> None:
    out = subprocess.run([sys.executable, "-m", "tox", "list"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    for env in (tox_envs() - {".pkg"}) | {"py311", "py312", "py313", "py314", "py315"}:
        line = next((line for line in out.splitlines() if line.startswith(f"{env} ")), None)
        assert line is not None and "->" in line and line.split("->", 1)[1].strip(), env


def test_ci_run_calls_make_test_the_command_readme_gives() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*(exec )?make test\b", ci, flags=re.M)
    assert "set -euo pipefail" in ci
    assert "PATH" not in ci, "interpreter discovery belongs to make test, not to CI"


def test_plain_make_test_offers_tox_every_pyenv_cpython_3_11_and_later() -> None:
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("pyenv") else ""
    installed = sorted(Path(root).glob("versions/3.1[1-9]*/bin/python3")) if root else []
    if not installed:
        pytest.skip("no pyenv-installed CPython 3.11+ here")
    dry_run = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    command = next(line for line in dry_run.splitlines() if " run " in line)
    assert "--discover" in command and all(str(python) in command for python in installed)
    assert not any("/versions/3.10" in part for part in command.split())
    assert "make test" in (ROOT / "README.md").read_text()


def test_releasing_md_names_every_make_target_and_tox_env_and_nothing_else() -> None:
    """The command table of RELEASING.md matches the Makefile and `tox list`."""
    table = re.findall(r"^\| `make ([a-z-]+)[^`]*` \| ([^|]*) \|", (ROOT / "RELEASING.md").read_text(), flags=re.M)
    assert {target for target, _ in table} == make_targets() - {"help"}
    documented = {env for _, envs in table for env in re.findall(r"`([a-z0-9.-]+)`", envs)}
    envs = (tox_envs() - {".pkg", "testenv"}) | {"py311", "py315"}
    assert documented == envs


def test_readme_names_every_kernel_the_package_tests_force() -> None:
    conftest = ast.parse((ROOT / "tests" / "package" / "conftest.py").read_text())
    kernels = next(ast.literal_eval(node.value) for node in conftest.body if isinstance(node, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == "KERNELS" for t in node.targets))
    section = (ROOT / "README.md").read_text().split("## Which CPU gets which code")[1].split("\n## ")[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    assert sorted(re.findall(r"`([a-z0-9_]+)`", "\n".join(first_cells))) == sorted(kernels)


def test_readme_is_for_users_and_releasing_md_for_maintainers() -> None:
    readme = (ROOT / "README.md").read_text()
    for user_topic in ("pip install castagnoli", "pip install .", "free-threaded", "make bench", "dispatch()"):
        assert user_topic in readme, user_topic
    for maintainer_topic in ("trusted publisher", "Re-run", "tox env", "cibuildwheel"):
        assert maintainer_topic not in readme, maintainer_topic
        assert maintainer_topic in (ROOT / "RELEASING.md").read_text(), maintainer_topic


def test_version_is_written_by_hand_only_in_pyproject() -> None:
    version = re.search(r'^version = "(.*)"$', (ROOT / "pyproject.toml").read_text(), flags=re.M)
    assert version
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    holders = [p for p in tracked if p not in ("pyproject.toml",) and not p.startswith("tests/")
               and not p.endswith(".md") and not p.startswith("requirements/")
               and version.group(1) in (ROOT / p).read_text(errors="replace")]
    assert holders == []


def test_make_test_fails_unless_lint_tooling_and_a_package_env_passed() -> None:
    from scripts import test_report

    ok = {"result": {"success": True, "skipped": False}}
    skip = {"result": {"success": True, "skipped": True}}
    failed = {"result": {"success": False, "skipped": False, "exit_code": 1}}
    lines, problems = test_report.verdict({"lint": ok, "tooling": ok, "py311": skip, "py312": ok, "py314": skip})
    assert problems == [] and "not found here, so not tested: CPython 3.11, CPython 3.14" in lines
    assert test_report.verdict({"lint": ok, "tooling": failed, "py312": ok})[1] == [
        "tox env tooling failed (exit 1): see its output above"]
    assert test_report.verdict({"tooling": ok, "py312": ok})[1] == [
        "tox env lint did not pass: expected it in every make test"]
    _, problems = test_report.verdict({"lint": ok, "tooling": ok, "py311": skip})
    assert any("no package env" in p for p in problems)


def test_make_tests_verdict_says_each_skip_reason_once_with_the_envs_it_hit() -> None:
    from scripts import test_report

    def env(output: str) -> dict[str, object]:
        return {"result": {"success": True, "skipped": False}, "test": [{"command": ["pytest"], "output": output}]}

    lacks = "SKIPPED [45] tests/package/conftest.py:29: this CPU or OS lacks the zmm_v4 kernel's instructions\n"
    package = f"...s\n{'=' * 10} short test summary info {'=' * 10}\n{lacks}{'=' * 10} 514 passed, 45 skipped in 9.1s =\n"
    tooling = (f"{'=' * 10} short test summary info {'=' * 10}\n"
               "SKIPPED [2] tests/tooling/test_windows.py:42: x86_64-w64-mingw32-gcc is not installed\n"
               "================== 195 passed, 2 skipped in 40.10s ===================\n")
    lines, problems = test_report.verdict({"lint": env(""), "tooling": env(tooling), "py311": env(package),
                                           "py313": env(package)})
    assert problems == []
    assert lines == ["ran and passed: lint, py311 (514 passed, 45 skipped), py313 (514 passed, 45 skipped), "
                     "tooling (195 passed, 2 skipped)", "skipped tests, and why:",
                     "  90 in tests/package/conftest.py (py311, py313): this CPU or OS lacks the zmm_v4 kernel's "
                     "instructions",
                     "  2 in tests/tooling/test_windows.py (tooling): x86_64-w64-mingw32-gcc is not installed"]


@pytest.mark.parametrize("argv", [[], ["-h"], ["--help"]])
def test_the_tooling_is_one_entry_that_lists_every_command(capsys: pytest.CaptureFixture[str],
                                                           argv: list[str]) -> None:
    from scripts.__main__ import COMMANDS, main

    assert main(argv) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert re.search(rf"^  {command} +{command}: ", out, flags=re.M), (command, out)
    assert "Exit status: 0" in out


def test_every_command_says_its_contract_and_exit_statuses_and_an_unknown_one_is_one_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    from scripts.__main__ import COMMANDS, main

    for command in COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        out = capsys.readouterr().out
        assert exit_.value.code == 0 and out.startswith(f"usage: python -m scripts {command}"), out
        assert f"\n{command}: " in out and "Exit status: 0 " in out, out
    assert main(["no-such-command"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ("error: no command 'no-such-command': expected one of " + ", ".join(COMMANDS) + "; run python -m "
                    "scripts --help for the list")
    edit = "sys.path." + "insert("  # test_emulated_cpus.py's program runs the unpacked wheel in a bare Python
    for path in [*ROOT.glob("scripts/*.py"), *ROOT.glob("tests/**/*.py")]:
        assert edit not in path.read_text() or path.name == "test_emulated_cpus.py", path


def test_scripts_are_executable_and_say_how_to_run_them_without_their_tools(tmp_path: Path) -> None:
    for script in [*ROOT.glob("scripts/*.sh"), ROOT / "scripts" / "repair_windows_wheel.py"]:
        assert os.access(script, os.X_OK), script
    bare = subprocess.run(["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", sys.executable, "-E", "-s", "-S",
                           "-m", "scripts", "release-check", "--wheels", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True)
    assert bare.returncode == 1 and "Traceback" not in bare.stderr
    assert bare.stderr.count("\n") == 1 and "make release-check" in bare.stderr


@pytest.mark.parametrize(("target", "given", "via", "expected"), [
    *(("check-tag", [f"TAG={tag}"], "command line", ["-qq", "-e", "check-tag", "--", tag])
      for tag in ["v0.5.0''", "v0.5.0 v0.5.1", "-v", "v0.5.0$x", "v0.5.0$(shell id)"]),
    *(("check-tag", [f"TAG={tag}"], "environment", ["-qq", "-e", "check-tag", "--", tag])
      for tag in ["v0.5.0$x", "v0.5.0$(shell id)"]),
    ("github-release", ["TAG=v1.2.3"], "command line", ["-qq", "-e", "github-release", "--", "v1.2.3", "dist"]),
    ("github-release", ["TAG=v1.2.3", "DIST=out/"], "command line",
     ["-qq", "-e", "github-release", "--", "v1.2.3", "out/"]),
    ("bench", ["BENCH=--rounds 2 --sizes 1KiB"], "command line", ["-e", "bench", "--", "--rounds", "2", "--sizes",
                                                                  "1KiB"]),
])
def test_make_passes_its_variables_to_tox_exactly_as_typed(tmp_path: Path, target: str, given: list[str], via: str,
                                                           expected: list[str]) -> None:
    """From the command line or the environment, TAG, DIST and BENCH reach tox as typed: never expanded, and
    split only where BENCH's options are."""
    fake_tox = fake_program(tmp_path / "tox", "import json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    env = {**os.environ, **dict(g.split("=", 1) for g in given)} if via == "environment" else os.environ
    made = subprocess.run(["make", "--no-print-directory", "-s", target, f"TOX={fake_tox}",
                           *(given if via == "command line" else [])], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True).stdout
    assert json.loads(made) == ["run", *expected]


@pytest.mark.parametrize(("env", "posargs"), [("check-tag", ["--help"]), ("github-release", ["--help", "dist"]),
                                              ("check-tag", ["v0.5.0'' $x;true \"v0.5.1\""])])
def test_tox_passes_the_tag_to_the_command_as_one_argument_never_as_an_option(env: str, posargs: list[str]) -> None:
    """make check-tag TAG=--help and make github-release TAG=--help: the command gets a tag to refuse."""
    configured = subprocess.run([sys.executable, "-m", "tox", "config", "-e", env, "-k", "commands", "--", *posargs],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
    command = shlex.split(configured.split("commands = ", 1)[1])
    assert command[0] == "python"
    ran = subprocess.run([sys.executable, *command[1:]], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PATH": "/usr/bin:/bin"})  # no gh: refused before it would be asked
    assert ran.returncode in (1, 2) and "usage:" not in ran.stdout, (ran.stdout, ran.stderr)
    assert ran.stderr.splitlines()[-1].startswith(("error: tag ", "python -m scripts github-release: error: tag")), \
        ran.stderr
    assert shlex.quote(posargs[0]) in ran.stderr or repr(posargs[0]) in ran.stderr, ran.stderr


@pytest.mark.parametrize("goal", ["tests", "src", "scripts", "dist", "build", "tset"])
def test_a_goal_that_is_no_target_is_an_error_that_points_to_the_list(goal: str) -> None:
    """make tests (a directory of that name) or a typo: not make's 'Nothing to be done', not a bare line."""
    made = subprocess.run(["make", "--no-print-directory", goal], cwd=ROOT, capture_output=True, text=True)
    assert made.returncode != 0 and made.stdout == ""
    assert made.stderr.splitlines()[0] == (f"error: no target '{goal}' here: expected one of the targets make "
                                           "lists; run make for the list (make test runs every test)")


# --- the Makefile on a new machine: the wrong Python, a new commit, make wheel ------------------------

def fake_program(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return path


def fake_python(tmp_path: Path, version: str) -> Path:
    """A python3 that says it is `version` (and is too old when that is below 3.11)."""
    major, minor = map(int, version.split("."))
    return fake_program(tmp_path / "python3", "import sys\n"
                        f"if 'print' in sys.argv[2]: print('{version}')\n"
                        f"else: sys.exit({(major, minor) < (3, 11)!r} and 1 or 0)\n")


def test_a_python_older_than_3_11_is_refused_at_once_naming_python(tmp_path: Path) -> None:
    made = subprocess.run(["make", "--no-print-directory", "check-tag", f"PYTHON={fake_python(tmp_path, '3.10')}"],
                          cwd=ROOT, capture_output=True, text=True)
    assert made.returncode != 0
    first = made.stderr.splitlines()[0]
    assert first.startswith("error: PYTHON=") and "is 3.10: expected Python 3.11 or newer" in first
    assert "these run here: " in first and "; pass one, e.g. make check-tag PYTHON=" in first
    suggested = first.rsplit("PYTHON=", 1)[1]
    assert subprocess.run([suggested, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]).returncode == 0
    assert "Traceback" not in made.stderr


def test_the_venv_is_made_again_when_python_is_another_version_and_make_clean_removes_it(tmp_path: Path) -> None:
    dry = subprocess.run(["make", "-n", "--no-print-directory", "check-tag", f"PYTHON={fake_python(tmp_path, '3.99')}"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "rm -rf .venv" in dry and "-m venv .venv" in dry
    clean = subprocess.run(["make", "-n", "clean"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert ".venv" in clean.split()


def test_the_host_wheel_is_rebuilt_when_head_moves_and_make_wheel_counts_as_a_build(tmp_path: Path) -> None:
    from conftest import clone_project

    clone = clone_project(tmp_path / "castagnoli")
    log = tmp_path / "tox.log"
    tox = fake_program(tmp_path / "tox", f"import sys\nopen({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n")

    def make(target: str) -> list[str]:
        log.write_text("")
        subprocess.run(["make", "--no-print-directory", "-s", target, f"TOX={tox}"], cwd=clone, check=True,
                       capture_output=True)
        return log.read_text().splitlines()

    (clone / "dist").mkdir()
    (clone / "dist" / "castagnoli-0.0.0-py3-none-any.whl").write_bytes(b"")  # a wheel is there
    whole, checkout, wheels = "run -qq -e release-check", "run -qq -e release-check -- --checkout", \
        "run -qq -e release-check -- --wheels"
    assert make("wheel") == ["run -e wheel"]
    assert make("release-check") == [whole]  # make wheel left the stamp current: one run, every check once
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "docs only"], cwd=clone, check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})
    # HEAD's time stamps the wheel: rebuilt, but only after the checkout passed its check
    assert make("release-check") == [checkout, "run -e wheel", wheels]
    assert make("release-check") == [whole]
    (clone / "src" / "castagnoli" / "new.py").write_text("")  # a new source: rebuilt too
    assert make("release-check") == [checkout, "run -e wheel", wheels]


def test_the_bench_tables_align_every_column_to_its_longest_kernel_name() -> None:
    spec = importlib.util.spec_from_file_location("table", ROOT / "benchmarks" / "table.py")
    assert spec is not None and spec.loader is not None
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    lines = table.aligned([["kernel", "1 KiB", "16 MiB"], ["auto", "1,234", "56,789"],
                           ["zmm_v3s2w4", "12,345", "6"], ["fastest", "zmm_v3s2w4", "ymm_v4"]])
    assert len({len(line) for line in lines}) == 1, lines
    assert len({line.index("|") for line in lines}) == 1, lines
    assert lines[3] == "   fastest | zmm_v3s2w4 ymm_v4"


def test_the_version_is_read_with_tomllib_whatever_its_quotes_or_comments(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from scripts.__main__ import main

    text = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'^version = "(.*)"$', text, flags=re.M).group(1)  # type: ignore[union-attr]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text.replace(f'version = "{version}"', "version = '7.8.9'  # the next one"))
    assert main(["check-tag", "--pyproject", str(pyproject), "v7.8.9"]) == 0
    assert capsys.readouterr().out.startswith("ok: tag v7.8.9 matches")


def test_releasing_md_moves_a_tag_with_the_command_the_release_check_prints() -> None:
    from scripts.git import move_tag_command

    assert f"`{move_tag_command('vX.Y.Z')}`" in (ROOT / "RELEASING.md").read_text().replace("\n", " ")


def test_readmes_command_line_block_runs_as_written(host_wheel: Path, tmp_path: Path) -> None:
    """Each command of README's command-line block, typed in an empty directory, prints what README shows
    (but for the two that need a file of the reader's own or print this CPU's row)."""
    import zipfile

    with zipfile.ZipFile(host_wheel) as zf:
        zf.extractall(tmp_path / "site")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_program(bin_dir / "python", f"import os, sys\nos.execv({sys.executable!r}, [{sys.executable!r}, "
                                     "*sys.argv[1:]])\n")
    # the console script pip would install, as its entry point runs it
    fake_program(bin_dir / "castagnoli", f"import os, sys\nos.execv({sys.executable!r}, [{sys.executable!r}, "
                                         "'-m', 'castagnoli', *sys.argv[1:]])\n")
    blocks = [part.split("```", 1)[0] for part in (ROOT / "README.md").read_text().split("```console\n")[1:]]
    block = next(block for block in blocks if "$ castagnoli " in block)
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:].split("  #")[0].strip(), []))
        else:
            commands[-1][1].append(line)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(tmp_path / "site")}
    ran = 0
    for command, shown in commands:
        if "object.bin" in command or "--kernels" in command:
            continue
        result = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True)
        assert (result.returncode, result.stdout.splitlines()) == (0, shown), (command, result.stderr)
        ran += 1
    assert ran >= 3


def test_an_in_place_build_leaves_the_checkout_clean_on_every_platform() -> None:
    """The extension an editable build puts in src/ (each platform's module name) is ignored by git, so the
    release check does not refuse the checkout as uncommitted after it."""
    from conftest import RELEASE

    for platform in RELEASE.platforms:
        path = f"src/{platform.module}"
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT)
        assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"
