"""The conflict check: does the index already hold a same-named file with other content?

PyPI accepts a re-upload of a file it has with identical hashes (200, a
no-op) and refuses one whose name it has with other content: that version is
burnt. So before publishing, the only question worth asking the index is
whether any of our wheels is in the second case; everything else is safe
to upload, every time.

The index is read defensively: one simple-API project page (PEP 691 JSON or
PEP 503 HTML, parsed by pypi-simple), size-capped, under an overall deadline,
redirects only within the same host, answers for another project refused,
and credentials in the URL never shown.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from release_text import redacted, shown

MAX_PAGE_BYTES = 8 << 20
ROOT_PROBE_BYTES = 64 << 10
DEADLINE_SECONDS = 60.0
ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
          "text/html;q=0.1")


class IndexReadError(Exception):
    """The index could not be asked, or its answer cannot be trusted."""


@dataclass(frozen=True)
class Published:
    sha256: str | None  # lowercase hex
    yanked: str | None  # the reason ('' when none given), None when not yanked


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    url: str


def fetch(url: str, limit: int, deadline: float, *, partial: bool = False) -> Answer:
    """GET `url`: redirects only on the same host, at most `limit` bytes (or the first `limit` if partial)."""
    import requests

    shown_url = redacted(url)
    origin = urlsplit(url)[:2]
    for _ in range(4):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise IndexReadError(f"the index at {shown_url} did not answer within {DEADLINE_SECONDS:.0f} s")
        try:
            with requests.get(url, headers={"Accept": ACCEPT}, stream=True, allow_redirects=False,
                              timeout=min(remaining, 15.0)) as response:
                if response.is_redirect:
                    target = urljoin(url, response.headers.get("Location", ""))
                    if urlsplit(target)[:2] != origin:
                        raise IndexReadError(f"the index at {shown_url} redirects to another host "
                                             f"({shown(redacted(target))}): expected answers from the index itself")
                    url = target
                    continue
                body = bytearray()
                for block in response.iter_content(64 << 10):
                    body += block
                    if time.monotonic() > deadline:
                        raise IndexReadError(f"the index at {shown_url} did not answer within "
                                             f"{DEADLINE_SECONDS:.0f} s")
                    if len(body) > limit:
                        if partial:
                            break
                        raise IndexReadError(f"the index at {shown_url} answered more than {limit} bytes: "
                                             "expected one project page")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return Answer(response.status_code, content_type, bytes(body), url)
        except requests.RequestException as exc:
            raise IndexReadError(f"the index at {shown_url} cannot be reached ({exc.__class__.__name__})") from None
    raise IndexReadError(f"the index at {shown_url} redirects more than 3 times")


def looks_like_index_root(answer: Answer) -> bool:
    """A simple-API root: PEP 691 JSON with meta.api-version, or PEP 503 HTML (links, or an empty "Simple Index")."""
    head = answer.body[:ROOT_PROBE_BYTES].lower()
    if answer.status != 200:
        return False
    if "json" in answer.content_type:
        return b'"api-version"' in head
    return any(marker in head for marker in (b"<a ", b"pypi:repository-version", b"<title>simple index</title>"))


def published_files(index_url: str, project: str, timeout: float = DEADLINE_SECONDS) -> dict[str, Published]:
    """filename -> what the index holds for `project`; {} only when the project is truly absent."""
    from pypi_simple import ProjectPage
    from packaging.utils import canonicalize_name, parse_wheel_filename

    shown_url = redacted(index_url)
    deadline = time.monotonic() + timeout
    root = index_url if index_url.endswith("/") else index_url + "/"
    answer = fetch(urljoin(root, f"{project}/"), MAX_PAGE_BYTES, deadline)
    if answer.status == 404:
        if not looks_like_index_root(fetch(root, ROOT_PROBE_BYTES, deadline, partial=True)):
            raise IndexReadError(f"{shown_url} is not a simple-API index root (it answers no index page): "
                                 "expected a URL such as https://pypi.org/simple/")
        return {}
    if answer.status != 200:
        raise IndexReadError(f"the index at {shown_url} answered HTTP {answer.status} for {project}")
    try:
        if answer.content_type == "application/vnd.pypi.simple.v1+json":
            data = json.loads(answer.body)
            if not isinstance(data, dict) or canonicalize_name(str(data.get("name", ""))) != project:
                raise IndexReadError(f"the index at {shown_url} answered a page for "
                                     f"{shown(data.get('name') if isinstance(data, dict) else None)}, "
                                     f"not {project}")
            page = ProjectPage.from_json_data(data, answer.url)
        elif answer.content_type in ("text/html", "application/vnd.pypi.simple.v1+html"):
            page = ProjectPage.from_html(project, answer.body.decode("utf-8"), answer.url)
        else:
            raise IndexReadError(f"the index at {shown_url} answered {shown(answer.content_type)}: expected a "
                                 "simple-API page (PEP 691 JSON or PEP 503 HTML)")
    except IndexReadError:
        raise
    except Exception as exc:  # the parsers' errors on malformed pages
        raise IndexReadError(f"the index at {shown_url} answered a malformed project page "
                             f"({exc.__class__.__name__})") from None
    files: dict[str, Published] = {}
    for package in page.packages:
        name = package.filename
        try:
            ours = name.endswith(".whl") and parse_wheel_filename(name)[0] == project
        except ValueError:
            ours = False
        if not ours and not name.startswith(f"{project}-"):
            raise IndexReadError(f"the index at {shown_url} lists {shown(name)} on {project}'s page, which is not "
                                 f"a {project} file: the answer cannot be trusted")
        digest = package.digests.get("sha256")
        entry = Published(digest.lower() if digest else None,
                          (package.yanked_reason or "") if package.is_yanked else None)
        if name in files and files[name].sha256 != entry.sha256:
            raise IndexReadError(f"the index at {shown_url} lists {shown(name)} twice with different sha256: "
                                 "the answer cannot be trusted")
        files[name] = entry
    if not files and page.repository_version is None and answer.content_type != "text/html":
        raise IndexReadError(f"the index at {shown_url} answered a page with no files and no API version: "
                             "expected a simple-API project page")
    return files


def conflicts(wheels: dict[str, str], published: dict[str, Published]) -> tuple[list[str], list[str]]:
    """(notes, problems) for our wheels (name -> sha256) against what the index holds."""
    notes: list[str] = []
    problems: list[str] = []
    for name, sha256 in sorted(wheels.items()):
        there = published.get(name)
        if there is None:
            notes.append(f"not on the index yet: {name}")
        elif there.sha256 is None:
            problems.append(f"{name} is on the index without a sha256: expected one to compare with; check the "
                            "file on the index by hand before publishing")
        elif there.sha256 != sha256.lower():
            problems.append(f"{name} is already on the index with other content: expected sha256 {sha256} "
                            f"(ours), found {there.sha256}; this version is burnt on the index (a published file "
                            "can never be replaced): bump [project] version and release that")
        else:
            yanked = "" if there.yanked is None else f" (yanked: {shown(there.yanked)})"
            notes.append(f"already on the index, identical{yanked}: {name} (a re-upload is accepted as a no-op)")
    return notes, problems
