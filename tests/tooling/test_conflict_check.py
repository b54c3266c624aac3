"""The conflict check against a real pypiserver, and against a local server that answers badly."""

from __future__ import annotations

import hashlib
import http.server
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import VERSION, Handler, answer, assemble_wheel, page, snapshot

from scripts.__main__ import main
from scripts import conflict_check as conflict_check_command
from scripts.publish_rehearsal import LocalIndex, twine_upload


def conflict_check(capsys: pytest.CaptureFixture[str], dist: Path, url: str) -> tuple[int, str, str]:
    code = main(["conflict-check", str(dist), "--index-url", url])
    out, err = capsys.readouterr()
    return code, out, err


def test_nothing_on_a_fresh_index_is_fine(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                          index: LocalIndex) -> None:
    before = snapshot(release_dir)
    code, out, err = conflict_check(capsys, release_dir, index.simple_url)
    assert code == 0, err
    assert out.count("not on the index yet") == 2
    assert snapshot(release_dir) == before


def test_identical_files_on_the_index_are_fine_a_reupload_is_a_no_op(
        capsys: pytest.CaptureFixture[str], release_dir: Path, index: LocalIndex) -> None:
    assert twine_upload(index, sorted(release_dir.glob("*.whl"))[:1]).returncode == 0
    code, out, err = conflict_check(capsys, release_dir, index.simple_url)
    assert code == 0, err
    assert "already on the index, identical" in out and "not on the index yet" in out


def test_a_same_named_file_with_other_content_is_the_burnt_version(
        capsys: pytest.CaptureFixture[str], release_dir: Path, index: LocalIndex, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assemble_wheel(other, files={"castagnoli/__init__.py": b"# other\n", "castagnoli/_crc32c.pyd": b"MZ other"})
    assert twine_upload(index, list(other.glob("*.whl"))).returncode == 0
    code, _, err = conflict_check(capsys, release_dir, index.simple_url)
    assert code == 1 and "burnt" in err and "bump [project] version" in err


def test_an_unreachable_index_is_never_read_as_unpublished(capsys: pytest.CaptureFixture[str],
                                                           release_dir: Path) -> None:
    code, _, err = conflict_check(capsys, release_dir, "http://127.0.0.1:9/simple/")
    assert code == 1 and "cannot be reached" in err and "nothing is assumed" in err


# --- a local server that answers what a broken or hostile index might (serve: conftest) -------------

def sha_of(dist: Path, pattern: str) -> tuple[str, str]:
    wheel = next(dist.glob(pattern))
    return wheel.name, hashlib.sha256(wheel.read_bytes()).hexdigest()


HOSTILE = {
    "another project's page": (lambda d: answer(page([], name="evil")), ["not castagnoli"]),
    "a file of another project": (lambda d: answer(page([{"filename": "evil-1.0-py3-none-any.whl", "url": "x",
                                                         "hashes": {}}])), ["not a castagnoli file"]),
    "duplicate names, different hashes": (lambda d: answer(page([
        {"filename": sha_of(d, "*win*")[0], "url": "a", "hashes": {"sha256": "a" * 64}},
        {"filename": sha_of(d, "*win*")[0], "url": "b", "hashes": {"sha256": "b" * 64}}])), ["twice"]),
    "an oversized answer": (lambda d: answer(b" " * (9 << 20)), ["more than"]),
    "a redirect to another host": (lambda d: answer(b"", 302, headers={"Location": "http://example.invalid/x/"}),
                                   ["redirects to another host"]),
    "HTTP 500": (lambda d: answer(b"oops", 500, "text/plain"), ["HTTP 500"]),
    "binary junk": (lambda d: answer(bytes(range(256)) * 10), ["malformed"]),
    "not an index root (404 everywhere)": (lambda d: answer(b"<html>not found</html>", 404, "text/html"),
                                           ["not a simple-API index root"]),
    "PEP 691 JSON served as text/html": (lambda d: answer(page([]), content_type="text/html"),
                                         ["JSON labelled text/html, or an HTML page that names no project"]),
    "an HTML page for another project": (lambda d: answer(
        b"<html><head><title>Links for evil</title></head><body><h1>Links for evil</h1></body></html>",
        content_type="text/html"), ["cannot be trusted for castagnoli's page: a page for 'evil', not castagnoli"]),
    "an HTML page that names nothing": (lambda d: answer(b"<html><body>hello</body></html>",
                                                         content_type="text/html"), ["an HTML page that names no project and lists no file"]),
    "a wheel name with a 4,301-digit version": (lambda d: answer(page([{
        "filename": f"castagnoli-{'9' * 4301}-cp311-abi3-win_amd64.whl", "url": "x", "hashes": {}}])),
        ["not a valid wheel name"]),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", HOSTILE)
def test_a_bad_index_answer_is_refused_and_credentials_stay_hidden(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str], case: str) -> None:
    handler, words = HOSTILE[case]
    code, out, err = conflict_check(capsys, release_dir, serve(handler(release_dir)))
    assert code == 1 and err.startswith("error: ") and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)
    assert "s3cret" not in out + err


def test_hashes_compare_case_insensitively_and_yanked_files_are_named(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str]) -> None:
    name, sha = sha_of(release_dir, "*win*")
    url = serve(answer(page([{"filename": name, "url": "x", "hashes": {"sha256": sha.upper()},
                              "yanked": "broken build"}])))
    code, out, err = conflict_check(capsys, release_dir, url)
    assert code == 0, err
    assert "identical (yanked: 'broken build')" in out


def test_a_dist_with_another_version_is_refused_before_asking_the_index(
        capsys: pytest.CaptureFixture[str], release_dir: Path) -> None:
    shutil.copy2(next(release_dir.glob("*win*")), release_dir / f"castagnoli-0.0.1-{VERSION}.whl")
    code, _, err = conflict_check(capsys, release_dir, "http://127.0.0.1:9/simple/")
    assert code == 1 and "cannot be reached" not in err


@pytest.mark.timeout(30)
def test_an_index_that_drips_one_byte_at_a_time_is_cut_off_at_the_deadline(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from scripts import index as release_index

    def drip(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        request.end_headers()
        for _ in range(200):
            request.wfile.write(b" ")
            request.wfile.flush()
            time.sleep(0.1)

    monkeypatch.setattr(release_index, "DEADLINE_SECONDS", 1.0)
    begun = time.monotonic()
    code, _, err = conflict_check(capsys, release_dir, serve(drip))
    assert code == 1 and "did not answer within 1 s" in err
    assert time.monotonic() - begun < 3


@pytest.mark.parametrize("url", ["", "pypi.org/simple/", "file:///tmp/simple/", "ftp://example.org/simple/"])
def test_an_index_url_that_is_not_http_is_a_usage_error(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                          url: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["conflict-check", str(release_dir), "--index-url", url])
    assert exit_.value.code == 2
    assert "expected an http(s) URL" in capsys.readouterr().err


def window_page(dist: Path, uploaded: str) -> bytes:
    name, sha = sha_of(dist, "*win*")
    return page([{"filename": name, "url": "x", "hashes": {"sha256": sha}, "upload-time": uploaded}])


def test_a_missing_wheel_of_a_release_older_than_14_days_fails_before_the_upload(
        capsys: pytest.CaptureFixture[str], release_dir: Path, serve: Callable[[Handler], str]) -> None:
    code, _, err = conflict_check(capsys, release_dir, serve(answer(window_page(release_dir, "2026-01-02T03:04:05Z"))))
    (line,) = err.splitlines()
    major, minor, patch = VERSION.split(".")
    assert code == 1 and "manylinux" in line and "uploaded 2026-01-02 03:04 UTC, more than 14 days ago" in line
    assert f"bump [project] version to {major}.{minor}.{int(patch) + 1}" in line


def test_a_missing_wheel_of_a_recent_release_is_fine(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                      serve: Callable[[Handler], str]) -> None:
    import datetime

    recent = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=13)).strftime("%Y-%m-%dT%H:%M:%SZ")
    code, out, err = conflict_check(capsys, release_dir, serve(answer(window_page(release_dir, recent))))
    assert code == 0, err
    assert "not on the index yet" in out and "identical" in out


def headers_then(rest: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Handler:
    """An index that sends a JSON page's headers (Content-Length 1000), then does `rest` with the body."""
    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        request.send_header("Content-Length", "1000")
        request.end_headers()
        request.wfile.flush()
        rest(request)
    return handle


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("body", "words"), [
    (lambda request: __import__("time").sleep(3), "cannot be read"),  # headers, then nothing
    (lambda request: request.wfile.write(b'{"meta": '), "cannot be read"),  # 9 of 1000 bytes, then closed
])
def test_a_body_that_stalls_or_ends_early_is_one_error_line(capsys: pytest.CaptureFixture[str], release_dir: Path,
                                                            serve: Callable[[Handler], str],
                                                            monkeypatch: pytest.MonkeyPatch, body: Handler,
                                                            words: str) -> None:
    from scripts import index as release_index

    monkeypatch.setattr(release_index, "READ_TIMEOUT_SECONDS", 1.0)
    code, out, err = conflict_check(capsys, release_dir, serve(headers_then(body)))
    assert len(err.splitlines()) == 1, err
    assert code == 1 and words in err and "nothing is assumed" in err and "Traceback" not in err, err
