"""`make publish-rehearsal` to its end, and when it is interrupted: the process boundary (signals) is tested."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import clone_project, snapshot


@pytest.mark.parametrize(("signum", "after"), [
    (None, ""),  # to its end
    (signal.SIGINT, "start pypiserver"),  # Ctrl-C while the server starts (each step's line comes as it starts)
    (signal.SIGTERM, "pip install"),  # a runner's cancel while the venv is made: ensurepip's temp files too
], ids=["passes", "SIGINT-server", "SIGTERM-venv"])
def test_a_rehearsal_stops_its_server_and_removes_its_files_whether_it_passes_or_is_interrupted(
        tmp_path: Path, host_wheel: Path, signum: signal.Signals | None, after: str) -> None:
    clone = tmp_path / "castagnoli"
    clone_project(clone)
    (clone / "dist").mkdir()
    shutil.copy2(host_wheel, clone / "dist")
    temp = tmp_path / "temp"  # the rehearsal's TemporaryDirectory goes here, so we can see it go
    temp.mkdir()
    before = snapshot(clone / "dist")
    env = {k: v for k, v in os.environ.items() if k not in ("DIST", "TAG", "GITHUB_STEP_SUMMARY")}
    # a child inherits an ignored SIGINT (as when the suite runs as a script's background job): Ctrl-C's default
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        rehearsal = subprocess.Popen([sys.executable, "-m", "scripts", "publish-rehearsal"], cwd=clone,
                                     env={**env, "TMPDIR": str(temp)}, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert rehearsal.stdout is not None
        if signum is not None:
            for line in rehearsal.stdout:
                if after in line:
                    break
            else:
                pytest.fail(f"the rehearsal ended before its server started: {rehearsal.communicate()}")
            assert list(temp.iterdir()), "the rehearsal keeps its files in TMPDIR"
            rehearsal.send_signal(signum)
        out, err = rehearsal.communicate(timeout=120)
    finally:
        if rehearsal.poll() is None:
            rehearsal.kill()
            rehearsal.wait()

    assert "Traceback" not in err
    if signum is None:
        assert rehearsal.returncode == 0, err
        assert out.splitlines()[-1].startswith("rehearsal passed: the release checks, uploads, installs and runs")
    else:
        assert rehearsal.returncode == 130
        assert err.strip().splitlines()[-1] == (
            "error: interrupted: the rehearsal stopped its server and removed its files")
    left = [str(p.relative_to(temp)) for p in temp.rglob("*")]
    assert left == [] and snapshot(clone / "dist") == before, (left, err)
    deadline = time.monotonic() + 5  # a killed grandchild (ensurepip's) may take a moment to be gone
    while (leftover := subprocess.run(["pgrep", "-f", str(temp)], capture_output=True, text=True)).returncode == 0 \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftover.returncode == 1, f"still running: {leftover.stdout}"
