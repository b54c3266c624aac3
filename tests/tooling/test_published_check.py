"""The published check (`make published-check`): a real pypiserver after a real upload, and local servers that
answer what a lying index or a foreign provenance would."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SOURCE, Handler, assemble_wheel, page

from scripts.__main__ import main
from scripts import published_check as published_check_command
from scripts.publish_rehearsal import LocalIndex, twine_upload
from scripts.published_check import provenance_problem

REPOSITORY = "castagnoli-dev/castagnoli"


def published_check(capsys: pytest.CaptureFixture[str], dist: Path, url: str, *extra: str) -> tuple[int, str, str]:
    code = main(["published-check", str(dist), "--index-url", url, "--wait", "2", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_uploaded_set_is_listed_and_served_byte_for_byte(capsys: pytest.CaptureFixture[str],
                                                              release_dir: Path, index: LocalIndex) -> None:
    assert twine_upload(index, sorted(release_dir.glob("*.whl"))).returncode == 0
    code, out, err = published_check(capsys, release_dir, index.simple_url)
    assert code == 0, err
    assert out.count("listed and served with sha256") == 2
    assert "provenance not checked: http://127.0.0.1" in out and "is not PyPI or TestPyPI" in out


def test_a_missing_file_is_asked_for_again_until_the_wait_runs_out(capsys: pytest.CaptureFixture[str],
                                                                   release_dir: Path, index: LocalIndex) -> None:
    assert twine_upload(index, sorted(release_dir.glob("*win*.whl"))).returncode == 0
    begun = time.monotonic()
    code, _, err = published_check(capsys, release_dir, index.simple_url)
    (line,) = err.splitlines()
    assert code == 1 and "manylinux" in line and "is not listed on the index" in line
    took = time.monotonic() - begun
    said = re.search(r"\(still so after ([0-9.]+) s of asking, --wait 2\)", line)
    assert said and float(said[1]) <= took < 20, line  # the time actually spent asking, not the --wait given


def test_a_same_named_file_with_other_bytes_is_final_at_once(capsys: pytest.CaptureFixture[str],
                                                             release_dir: Path, index: LocalIndex,
                                                             tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assemble_wheel(other, files={"castagnoli/__init__.py": b"# other\n", "castagnoli/_crc32c.pyd": b"MZ other"})
    assert twine_upload(index, list(other.glob("*.whl"))).returncode == 0
    begun = time.monotonic()
    code, _, err = main(["published-check", str(release_dir), "--index-url", index.simple_url,
                                       "--wait", "60"]), *capsys.readouterr()
    assert code == 1 and "win_amd64.whl is listed with other content" in err and "do not announce" in err
    assert time.monotonic() - begun < 30  # not the 60 s wait: an index never changes a file


# --- a local index whose pages and files say what a test wants --------------------------------------

def fake_index(dist: Path, *, lie: bool = False, provenance: bytes | None = None,
               provenance_status: int = 200, files: str = "whole") -> Handler:
    """An index for `dist`'s wheels: the JSON page, the files (other bytes when `lie`; with `files`
    "truncated", half of them under the whole Content-Length; "loop": a redirect to themselves), their
    provenance."""
    wheels = {p.name: p.read_bytes() for p in dist.glob("*.whl")}

    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        host = f"http://127.0.0.1:{request.server.server_address[1]}"
        if request.path.startswith("/simple/castagnoli/"):
            body = page([{"filename": name, "url": f"{host}/files/{name}", "size": len(data),
                          "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                          "provenance": f"{host}/integrity/{name}/provenance"} for name, data in wheels.items()])
            status, content_type = 200, "application/vnd.pypi.simple.v1+json"
        elif request.path.startswith("/files/") and files == "loop":
            request.send_response(302)
            request.send_header("Location", request.path)
            request.end_headers()
            return
        elif request.path.startswith("/files/"):
            data = wheels[request.path.split("/")[-1]]
            body, status, content_type = (data[:-1] + b"!" if lie else data), 200, "application/octet-stream"
            if files == "truncated":
                request.send_response(200)
                request.send_header("Content-Length", str(len(data)))
                request.end_headers()
                request.wfile.write(data[:len(data) // 2])
                return
        elif request.path.startswith("/integrity/") and provenance is not None:
            body, status, content_type = provenance, provenance_status, "application/json"
        else:
            body, status, content_type = b"not found", 404, "text/plain"
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
    return handle


def test_a_page_that_lies_about_the_sha256_is_caught_by_the_download(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str]) -> None:
    code, _, err = published_check(capsys, release_dir, serve(fake_index(release_dir, lie=True)))
    assert code == 1 and err.count("the bytes its file URL serves hash to") == 2
    assert "s3cret" not in err and "Traceback" not in err


@pytest.mark.parametrize(("files", "words"), [("truncated", "its file cannot be downloaded yet"),
                                              ("loop", "redirects more than 3 times")])
def test_a_download_that_fails_is_asked_again_not_a_verdict_on_the_bytes(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str], files: str,
        words: str) -> None:
    code, _, err = published_check(capsys, release_dir, serve(fake_index(release_dir, files=files)), "--wait", "0")
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2 and all(words in line and "still so after" in line for line in lines), err
    assert "serves more than" not in err and "hash to" not in err and "Traceback" not in err


@pytest.mark.timeout(30)
def test_before_any_upload_it_says_while_it_waits_and_judges_by_what_the_index_answered(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The index answers 404 for the project, then stops answering: the verdict is the 404, not the timeout."""
    asked: list[str] = []

    def not_there_then_silent(request: http.server.BaseHTTPRequestHandler) -> None:
        asked.append(request.path)
        if len(asked) > 2:  # the project page and the root: answered once; after that, nothing
            time.sleep(3)
            return
        body = page([]) if request.path == "/simple/" else b"not found"
        request.send_response(200 if request.path == "/simple/" else 404)
        request.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        request.end_headers()
        request.wfile.write(body)

    monkeypatch.setattr(published_check_command, "RETRY_SECONDS", 0.3)
    monkeypatch.setattr(published_check_command, "MIN_ROUND_SECONDS", 0.5)
    code, out, err = published_check(capsys, release_dir, serve(not_there_then_silent), "--wait", "1.5")
    first = out.splitlines()[1]
    assert first.startswith("waiting: castagnoli-") and "; asking again in 0.3 s, " in first, out
    absent = "is not on the index, which has no castagnoli project yet (HTTP 404): this check reads what the upload"
    assert first.count(absent) == 2
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2 and all(absent in line for line in lines), err
    assert "cannot be reached" not in err


@pytest.mark.timeout(30)
def test_an_index_that_hangs_is_given_up_within_the_wait(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                         serve: Callable[[Handler], str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(request: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(25)

    monkeypatch.setattr(published_check_command, "MIN_ROUND_SECONDS", 1.0)
    begun = time.monotonic()
    code, _, err = published_check(capsys, release_dir, serve(hang), "--wait", "1")
    assert code == 1 and err.count("error: ") == 2 and "nothing is assumed" in err
    assert time.monotonic() - begun < 5


def provenance(repository: str = REPOSITORY, workflow: str = "publish.yml", environment: str = "pypi") -> bytes:
    """A PEP 740 provenance object with one attestation (its signature cannot verify: it is made up)."""
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    attestation = {"version": 1, "verification_material": {"certificate": b64(b"not a certificate"),
                                                            "transparency_entries": [{}]},
                   "envelope": {"statement": b64(b"{}"), "signature": b64(b"not a signature")}}
    return json.dumps({"version": 1, "attestation_bundles": [{
        "publisher": {"kind": "GitHub", "repository": repository, "workflow": workflow, "environment": environment},
        "attestations": [attestation]}]}).encode()


PROVENANCE_CASES = {
    "another repository": (provenance(repository="someone/else"), 200,
                           "its provenance names the publisher {'kind': 'GitHub', 'repository': 'someone/else'"),
    "another workflow": (provenance(workflow="ci.yml"), 200, "'workflow': 'ci.yml'"),
    "another environment": (provenance(environment="testing"), 200, "'environment': 'testing'"),
    "no provenance": (b"", 404, "has no provenance for it (HTTP 404"),
    "malformed JSON": (b"{not json", 200, "its provenance is malformed"),
    "no attestation": (json.dumps({"version": 1, "attestation_bundles": []}).encode(), 200,
                       "holds no attestation"),
    "the right publisher, a made-up signature": (provenance(), 200, "its provenance does not verify ("),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", PROVENANCE_CASES)
def test_provenance_must_come_from_this_repositorys_publish_workflow_and_verify(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str], case: str) -> None:
    body, status, message = PROVENANCE_CASES[case]
    url = serve(fake_index(release_dir, provenance=body, provenance_status=status))
    code, out, err = published_check(capsys, release_dir, url, "--require-provenance", "--repository", REPOSITORY)
    assert code == 1 and err.count("error: ") == 2 and "Traceback" not in err, err
    assert message in err, err
    assert "provenance not checked" not in out


# --- real Sigstore bundles, verified offline: the one PyPI published for pypi-attestations 0.0.19 -----------

PUBLISHER = {"repository": "trailofbits/pypi-attestations", "workflow": "release.yml", "environment": None}


def claim_another_repository(data: dict[str, Any]) -> None:
    data["attestation_bundles"][0]["publisher"]["repository"] = "someone/else"


def flip_a_signature_bit(data: dict[str, Any]) -> None:
    envelope = data["attestation_bundles"][0]["attestations"][0]["envelope"]
    signature = bytearray(base64.b64decode(envelope["signature"]))
    signature[10] ^= 1
    envelope["signature"] = base64.b64encode(bytes(signature)).decode()


@pytest.mark.parametrize(("edit", "publisher", "refused_for"), [
    (None, PUBLISHER, None),
    ("bytes", PUBLISHER, "subject does not match distribution digest"),
    # the publisher it names is the one expected: only the signature's identity can refuse it
    (claim_another_repository, {**PUBLISHER, "repository": "someone/else"}, "OIDCSourceRepositoryURI does not match"),
    (flip_a_signature_bit, PUBLISHER, "invalid signature"),
], ids=["accepted", "other bytes", "a publisher its signature does not name", "a changed signature"])
def test_real_provenance_verifies_offline_and_is_refused_for_its_own_reason(
        attested_file: Path, tmp_path: Path, edit: Any, publisher: dict[str, str | None],
        refused_for: str | None) -> None:
    """The provenance PyPI published for pypi-attestations 0.0.19, beside the file it covers (conftest)."""
    data = json.loads(attested_file.with_name(attested_file.name + ".provenance").read_bytes())
    path = attested_file
    if edit == "bytes":
        path = tmp_path / attested_file.name
        path.write_bytes(attested_file.read_bytes() + b"\0")
    elif edit is not None:
        edit(data)
    problem = provenance_problem(path, json.dumps(data).encode(), publisher)
    if refused_for is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith("its provenance does not verify (") and refused_for in \
            problem, problem


def test_the_provenance_is_checked_against_project_urls_source_and_a_disagreeing_run_is_refused(
        capsys: pytest.CaptureFixture[str], release_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork")
    code = main(["published-check", str(release_dir), "--index-url", "https://pypi.org/simple/"])
    out, err = capsys.readouterr()
    assert code == 1 and err.count("error: ") == 1, err
    assert "this run is in 'someone/fork', but the provenance is checked against" in err
    assert repr(SOURCE.removeprefix("https://github.com/")) in err


@pytest.mark.parametrize("wait", ["-1", "soon", "1e9"])
def test_the_wait_is_a_number_of_seconds(capsys: pytest.CaptureFixture[str], release_dir: Path, wait: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["published-check", str(release_dir), "--index-url", "http://127.0.0.1:9/simple/",
                            "--wait", wait])
    assert exit_.value.code == 2 and "expected a number of seconds" in capsys.readouterr().err
