"""The upload planner (check_release.py index) and the rehearsal, against a real pypiserver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, VERSION, assemble_wheel, run_checker, snapshot

from publish_rehearsal import LocalIndex, free_port, local_index, twine_upload


@pytest.fixture
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    with local_index(tmp_path_factory.mktemp("index")) as running:
        yield running


def plan(dist: Path, url: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path, str]:
    before = snapshot(dist)
    output = tmp_path / "github-output"
    result = run_checker("index", dist, "--index-url", url, "--plan-dir", tmp_path / "plan",
                         "--github-output", output)
    assert snapshot(dist) == before, "the planner changed DIR"
    assert "Traceback" not in result.stderr
    return result, tmp_path / "plan", output.read_text() if output.exists() else ""


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_fresh_index_plans_every_file(index: LocalIndex, release_dir: Path, tmp_path: Path) -> None:
    result, plan_dir, output = plan(release_dir, index.simple_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nothing published yet: upload all 2 file(s)" in result.stdout
    assert names(plan_dir) == names(release_dir)
    assert output == "upload=true\ncount=2\n"


def test_complete_index_plans_nothing(index: LocalIndex, release_dir: Path, tmp_path: Path) -> None:
    assert twine_upload(index, sorted(release_dir.iterdir())).returncode == 0
    result, plan_dir, output = plan(release_dir, index.simple_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "already published: all 2 file(s)" in result.stdout
    assert names(plan_dir) == []
    assert output == "upload=false\ncount=0\n"


def test_partial_upload_plans_only_the_rest(index: LocalIndex, release_dir: Path, tmp_path: Path) -> None:
    (linux,) = release_dir.glob("*manylinux*.whl")
    (windows,) = release_dir.glob("*win_amd64.whl")
    assert twine_upload(index, [linux]).returncode == 0
    result, plan_dir, output = plan(release_dir, index.simple_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"published already (identical sha256): {linux.name}" in result.stdout
    assert f"to upload: {windows.name}" in result.stdout
    assert "upload only the 1 file(s) left" in result.stdout
    assert names(plan_dir) == [windows.name]
    assert output == "upload=true\ncount=1\n"


def test_same_name_different_content_is_refused_naming_both_hashes(index: LocalIndex, release_dir: Path,
                                                                      tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    impostor = assemble_wheel(other, files={"castagnoli/__init__.py": b"# different\n",
                                             "castagnoli/castagnoli.dll": b"MZ other"})
    assert twine_upload(index, [impostor]).returncode == 0
    (windows,) = release_dir.glob("*win_amd64.whl")
    result, plan_dir, output = plan(release_dir, index.simple_url, tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {windows.name} is already on the index with a different content")
    assert hashlib.sha256(windows.read_bytes()).hexdigest() in line
    assert hashlib.sha256(impostor.read_bytes()).hexdigest() in line
    assert names(plan_dir) == [] and output == ""


def test_unreachable_index_is_an_error_never_unpublished(release_dir: Path, tmp_path: Path) -> None:
    result, plan_dir, output = plan(release_dir, f"http://127.0.0.1:{free_port()}/simple/", tmp_path)
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and "nothing is assumed" in result.stderr
    assert names(plan_dir) == [] and output == ""


class _Canned(http.server.BaseHTTPRequestHandler):
    status = 200
    content_type = "text/html"
    body = b""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned_index() -> Iterator[type[_Canned]]:
    """A loopback server answering whatever the test sets on the handler; stopped after."""
    handler = type("Handler", (_Canned,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/simple/"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(("status", "content_type", "body", "named"), [
    (500, "text/html", b"<h1>Internal Server Error</h1>", "refused the request"),
    (200, "text/html", b"<html><body>Welcome to the hotel wifi</body></html>", "does not look like"),
    (200, "text/html", b'<html><a href="/login">log in</a></html>', "not a castagnoli distribution"),
    (200, "application/vnd.pypi.simple.v1+json", b"{not json", "not a simple-API project page"),
    (200, "application/octet-stream", b"\x00\x01", "not a simple-API project page"),
], ids=["http-500", "html-without-files", "html-unrelated-links", "broken-json", "binary"])
def test_garbage_answers_are_errors_never_unpublished(canned_index: type[_Canned], release_dir: Path,
                                                     tmp_path: Path, status: int, content_type: str,
                                                     body: bytes, named: str) -> None:
    canned_index.status, canned_index.content_type, canned_index.body = status, content_type, body
    result, plan_dir, output = plan(release_dir, canned_index.url, tmp_path)  # type: ignore[attr-defined]
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and named in line
    assert names(plan_dir) == [] and output == ""


def test_pep_691_json_answers_are_read_too(canned_index: type[_Canned], release_dir: Path, tmp_path: Path) -> None:
    (linux,) = release_dir.glob("*manylinux*.whl")
    page = {"meta": {"api-version": "1.0"}, "name": "castagnoli", "files": [
        {"filename": linux.name, "url": f"../../packages/{linux.name}",
         "hashes": {"sha256": hashlib.sha256(linux.read_bytes()).hexdigest()}}]}
    canned_index.content_type = "application/vnd.pypi.simple.v1+json"
    canned_index.body = json.dumps(page).encode()
    result, plan_dir, _ = plan(release_dir, canned_index.url, tmp_path)  # type: ignore[attr-defined]
    assert result.returncode == 0, result.stderr
    assert "upload only the 1 file(s) left" in result.stdout
    assert [n for n in names(plan_dir)] == [p.name for p in release_dir.glob("*win_amd64.whl")]


def test_a_non_empty_plan_dir_is_refused(release_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "old.whl").write_bytes(b"x")
    result, _, _ = plan(release_dir, "http://127.0.0.1:9/simple/", tmp_path)
    assert result.returncode == 1
    assert "is not an empty directory" in result.stderr
    assert names(tmp_path / "plan") == ["old.whl"]


def test_full_rehearsal_against_a_local_index(release_dir: Path) -> None:
    before = snapshot(release_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("TAG", "GITHUB_STEP_SUMMARY")}
    result = subprocess.run([sys.executable, ROOT / "scripts" / "publish_rehearsal.py", "--dist", release_dir],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for step in ("release check", "start pypiserver", "plan the upload", "twine upload", "plan again",
                 f"pip install castagnoli=={VERSION}", "smoke test", "second upload of the same file is rejected",
                 "pypiserver stopped; dist unchanged"):
        assert "ok (" in out and step in out, step
    assert "nothing published yet: upload all 2 file(s)" in out
    assert "already published" in out
    assert snapshot(release_dir) == before
    assert subprocess.run(["pgrep", "-f", "pypiserver run"], capture_output=True).returncode == 1


def test_rehearsal_without_wheels_fails_clearly(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, ROOT / "scripts" / "publish_rehearsal.py", "--dist", tmp_path],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("error: no wheels in") and "Traceback" not in result.stderr
