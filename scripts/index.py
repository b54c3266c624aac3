"""The index client of the conflict and published checks: what an index lists of a project.

The index is read defensively: one simple-API project page (PEP 691 JSON or
PEP 503 HTML, parsed by pypi-simple), size-capped, under an overall deadline,
redirects only within the same host, answers for another project refused,
and credentials in the URL never shown.

pypi-simple parses the pages; this module keeps only what it lacks. Its
get_project_page and download_package(verify=True) read through requests,
whose timeout bounds each socket read but not the whole answer, and they cap
no size: a server that drips a byte at a time, or streams without end, would
hold the release job. fetch() bounds both. It also checks what pypi-simple
takes on trust: the page names this project, JSON is not served as HTML, and a
404 comes from a real index root, not from a wrong URL.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .text import redacted, shown

MAX_PAGE_BYTES = 8 << 20
ROOT_PROBE_BYTES = 64 << 10
DEADLINE_SECONDS = 60.0
READ_TIMEOUT_SECONDS = 15.0  # one socket read; the whole answer has the deadline
ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
          "text/html;q=0.1")


class IndexReadError(Exception):
    """The index could not be asked, or its answer cannot be trusted: asking again may mend it."""


class Oversized(IndexReadError):
    """The answer is longer than what it may be: final for a file, whose bytes never change."""


@dataclass(frozen=True)
class Published:
    sha256: str | None  # lowercase hex
    yanked: str | None  # the reason ('' when none given), None when not yanked
    url: str = ""  # the file's download URL, absolute
    size: int | None = None  # PEP 700, when the index says
    upload_time: datetime.datetime | None = None  # PEP 700, when the index says
    version: str | None = None  # from the file name
    provenance_url: str | None = None  # PEP 740, when the index says


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    url: str


def fetch(url: str, limit: int, deadline: float, *, partial: bool = False, what: str = "one project page") -> Answer:
    """GET `url`: redirects only on the same host, at most `limit` bytes (or the first `limit` if partial),
    the whole answer within `deadline` (time.monotonic()), however slowly the server sends it.

    The one guard of the network boundary: whatever requests or urllib3 raise (no connection, a stalled or
    truncated body, a bad encoding) becomes IndexReadError, one line naming the error's kind."""
    import requests
    import urllib3

    shown_url = redacted(url)
    origin = urlsplit(url)[:2]
    late = f"the index at {shown_url} did not answer within {max(deadline - time.monotonic(), 0):.0f} s"
    for _ in range(4):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise IndexReadError(late)
        try:
            with requests.get(url, headers={"Accept": ACCEPT}, stream=True, allow_redirects=False,
                              timeout=min(remaining, READ_TIMEOUT_SECONDS)) as response:
                if response.is_redirect:
                    target = urljoin(url, response.headers.get("Location", ""))
                    if urlsplit(target)[:2] != origin:
                        raise IndexReadError(f"the index at {shown_url} redirects to another host "
                                             f"({shown(redacted(target))}): expected answers from the index itself")
                    url = target
                    continue
                body = bytearray()
                # read1: whatever has arrived (at most 64 KiB), so a server that drips
                # one byte at a time meets the deadline after its next byte
                while block := response.raw.read1(64 << 10, decode_content=True):
                    body += block
                    if time.monotonic() > deadline:
                        raise IndexReadError(late)
                    if len(body) > limit:
                        if partial:
                            break
                        raise Oversized(f"the index at {shown_url} answered more than {limit} bytes: "
                                        f"expected {what}")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return Answer(response.status_code, content_type, bytes(body), url)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise IndexReadError(f"the index at {shown_url} cannot be reached or its answer cannot be read "
                                 f"({exc.__class__.__name__})") from None
    raise IndexReadError(f"the index at {shown_url} redirects more than 3 times: expected an answer")


def looks_like_index_root(answer: Answer) -> bool:
    """A simple-API root: PEP 691 JSON with meta.api-version, or PEP 503 HTML (links, or an empty "Simple Index")."""
    head = answer.body[:ROOT_PROBE_BYTES].lower()
    if answer.status != 200:
        return False
    if "json" in answer.content_type:
        return b'"api-version"' in head
    return any(marker in head for marker in (b"<a ", b"pypi:repository-version", b"<title>simple index</title>"))


def published_files(index_url: str, project: str, timeout: float | None = None,
                    probe_root: bool = True) -> dict[str, Published]:
    """filename -> what the index holds for `project`; {} only when the project is truly absent (a 404 that
    comes from a real index root: probed unless `probe_root` is False, for a root already seen to be one)."""
    from packaging.utils import canonicalize_name, parse_wheel_filename
    from pypi_simple import ProjectPage

    shown_url = redacted(index_url)
    deadline = time.monotonic() + (DEADLINE_SECONDS if timeout is None else timeout)
    root = index_url if index_url.endswith("/") else index_url + "/"
    answer = fetch(urljoin(root, f"{project}/"), MAX_PAGE_BYTES, deadline)
    if answer.status == 404:
        if probe_root and not looks_like_index_root(fetch(root, ROOT_PROBE_BYTES, deadline, partial=True)):
            raise IndexReadError(f"{shown_url} is not a simple-API index root (it answers no index page): "
                                 "expected a URL such as https://pypi.org/simple/")
        return {}
    if answer.status != 200:
        raise IndexReadError(f"the index at {shown_url} answered HTTP {answer.status} for {project}")
    untrusted = f"the index at {shown_url} answered what cannot be trusted for {project}'s page"
    try:  # the guard of the parsers: whatever a malformed page makes them raise
        if answer.content_type == "application/vnd.pypi.simple.v1+json":
            data = json.loads(answer.body)
            named = str(data.get("name"))
            page = ProjectPage.from_json_data(data, answer.url)
        elif answer.content_type in ("text/html", "application/vnd.pypi.simple.v1+html"):
            title = HTML_TITLE.search(answer.body[:ROOT_PROBE_BYTES])
            if answer.body.lstrip()[:1] in (b"{", b"[") or (title is None and b"<a " not in answer.body.lower()):
                raise IndexReadError(f"{untrusted}: JSON labelled text/html, or an HTML page that names no project "
                                     "and lists no file")
            named = title[1].decode("utf-8", "replace") if title else project
            page = ProjectPage.from_html(project, answer.body.decode("utf-8"), answer.url)
        else:
            raise IndexReadError(f"the index at {shown_url} answered {shown(answer.content_type)}: expected a "
                                 "simple-API page (PEP 691 JSON or PEP 503 HTML)")
    except IndexReadError:
        raise
    except Exception as exc:
        raise IndexReadError(f"the index at {shown_url} answered a malformed project page "
                             f"({exc.__class__.__name__})") from None
    if canonicalize_name(named) != project:
        raise IndexReadError(f"{untrusted}: a page for {shown(named)}, not {project}")
    files: dict[str, Published] = {}
    for package in page.packages:
        name, version = package.filename, None
        try:
            if name.endswith(".whl") and parse_wheel_filename(name)[0] == project:
                version = str(parse_wheel_filename(name)[1])
        except ValueError:  # not a valid wheel name; also int()'s refusal of a 4,301-digit version part
            raise IndexReadError(f"{untrusted}: {shown(name[:120])}, which is not a valid wheel name") from None
        if version is None and not name.startswith(f"{project}-"):
            raise IndexReadError(f"{untrusted}: {shown(name[:120])}, which is not a {project} file")
        digest = package.digests.get("sha256")
        entry = Published(digest.lower() if digest else None, (package.yanked_reason or "") if package.is_yanked
                          else None, package.url, package.size, package.upload_time, version, package.provenance_url)
        if files.setdefault(name, entry).sha256 != entry.sha256:
            raise IndexReadError(f"{untrusted}: {shown(name)} twice with different sha256")
        files[name] = entry
    return files


HTML_TITLE = re.compile(rb"<title>\s*Links for ([^<]{1,200}?)\s*</title>", re.IGNORECASE)
