"""published-check: after the upload, the index serves exactly the wheels in DIR, attested by this repository.

  python -m scripts published-check --index-url URL [--repository OWNER/NAME] [--wait SECONDS]
                                    [--pyproject FILE] [DIR]
      DIR, else $DIST (the full release set), else dist/ (the host wheel only). Each wheel is listed with its
      sha256 (and size, where the index gives it), and the bytes its file URL serves hash to it. On PyPI and
      TestPyPI (or with --require-provenance) its PEP 740 provenance names this repository's publish.yml and
      environment pypi, and verifies against the file (pypi-attestations, offline). Other bytes are final at
      once: an index never changes a file. A file not listed yet, or an answer that failed, is asked for
      again until the wait runs out, with a line saying what the index answered: before any upload it waits,
      then fails.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from .cli import index_check_wheels, index_url_argument, wheels_arguments
from .config import PROJECT
from .dist import Wheel
from .index import DEADLINE_SECONDS, IndexReadError, Oversized, Published, fetch, published_files
from .text import redacted, report, shown

WORKFLOW, ENVIRONMENT = "publish.yml", "pypi"
ATTESTING_INDEXES = {"pypi.org", "test.pypi.org"}  # they attest every file uploaded by trusted publishing
MAX_PROVENANCE_BYTES = 1 << 20
RETRY_SECONDS = 10.0
MIN_ROUND_SECONDS = 5.0  # each round gets at least this long for its answers, even at the end of the wait
Verdict = tuple[str, str]  # ("ok", the line to print) or ("final", a problem no wait mends) or ("pending", one)


def provenance_problem(path: Path, body: bytes, publisher: dict[str, str | None]) -> str | None:
    """Why `body`, a PEP 740 provenance object, does not attest the file at `path` as published by `publisher`
    (a GitHub repository, workflow and environment), or None. pypi-attestations checks each signature against
    the file's bytes and the publisher's identity, offline, with the trust root sigstore ships."""
    from pypi_attestations import Distribution, Provenance

    logging.getLogger("sigstore").setLevel(logging.ERROR)  # not its note that the trust root is the bundled one
    wanted = ", ".join(f"{key} {value}" for key, value in publisher.items())
    try:
        bundles = Provenance.model_validate_json(body).attestation_bundles
    except ValueError as exc:  # pydantic's ValidationError too
        return f"its provenance is malformed ({exc.__class__.__name__}): expected a PEP 740 provenance object"
    if not bundles or not all(bundle.attestations for bundle in bundles):
        return f"its provenance holds no attestation: expected one from GitHub, {wanted}"
    found = [{"kind": getattr(b.publisher, "kind", None), **{key: getattr(b.publisher, key, None) for key in publisher}}
             for b in bundles]
    if any(str(f[key] or "").lower() != str(value or "").lower()
           for f in found for key, value in {"kind": "GitHub", **publisher}.items()):
        return (f"its provenance names the publisher {'; '.join(map(shown, found))}: expected GitHub, {wanted}; "
                "check the trusted publisher on PyPI (RELEASING.md)")
    dist = Distribution.from_file(path)
    for bundle in bundles:
        for attestation in bundle.attestations:
            try:
                attestation.verify(bundle.publisher, dist, offline=True)
            except Exception as exc:  # the guard: pypi-attestations' and sigstore's errors alike
                return (f"its provenance does not verify ({exc.__class__.__name__}: {shown(str(exc)[:200])}): "
                        f"expected a signature by {wanted} over these bytes; do not announce this release, "
                        "investigate the upload")
    return None


def provenance_verdict(wheel: Wheel, url: str, repository: str, deadline: float) -> Verdict:
    """The wheel's PEP 740 provenance at `url`: there, from `repository`'s publish workflow, and verified."""
    name = wheel.path.name
    try:
        answer = fetch(url, MAX_PROVENANCE_BYTES, deadline, what="one provenance object")
    except IndexReadError as exc:
        return "pending", f"{name}: its provenance cannot be read yet ({exc})"
    if answer.status != 200:
        return "pending", (f"{name}: the index has no provenance for it (HTTP {answer.status} at {redacted(url)}): "
                           "expected the attestations the publish action makes under trusted publishing")
    problem = provenance_problem(wheel.path, answer.body, {"repository": repository, "workflow": WORKFLOW,
                                                           "environment": ENVIRONMENT})
    if problem is not None:
        return "final", f"{name}: {problem}"
    return "ok", f"provenance from {repository} ({WORKFLOW}, environment {ENVIRONMENT}) verifies"


def file_verdict(wheel: Wheel, there: Published | None, deadline: float) -> Verdict:
    """The listing and the served bytes of one wheel against the verified file."""
    name = wheel.path.name
    if there is None:
        return "pending", (f"{name} is not listed on the index: expected it after the upload; if the upload "
                           "succeeded, the index may lag: re-run the job")
    if there.sha256 != wheel.sha256 or there.size not in (None, wheel.size):
        return "final", (f"{name} is listed with other content: expected sha256 {wheel.sha256} and {wheel.size} "
                         f"bytes (verified), found {there.sha256} and {there.size}; the version is burnt: do not "
                         "announce it, release X.Y.Z+1")
    try:
        answer = fetch(there.url, wheel.size, deadline, what=f"the {wheel.size} bytes of {name}")
    except Oversized:
        return "final", f"{name}: its file URL serves more than the verified {wheel.size} bytes"
    except IndexReadError as exc:
        return "pending", f"{name}: its file cannot be downloaded yet ({exc})"
    if answer.status != 200:
        return "pending", f"{name}: its file URL answered HTTP {answer.status}"
    served = hashlib.sha256(answer.body).hexdigest()
    if served != wheel.sha256:
        return "final", (f"{name}: the bytes its file URL serves hash to {served}: expected {wheel.sha256}, the "
                         "verified wheel's, which the page lists; the index serves other bytes")
    return "ok", f"{name}: listed and served with sha256 {wheel.sha256}"


def integrity_url(index_url: str, version: str, filename: str) -> str:
    """PyPI's integrity API address of a file's provenance (when the page gives none)."""
    parts = urlsplit(index_url)
    return f"{parts.scheme}://{parts.netloc}/integrity/{PROJECT}/{version}/{filename}/provenance"


def published_check(wheels: list[Wheel], version: str, index_url: str, repository: str | None,
                    wait: float) -> tuple[list[str], list[str]]:
    """(ok lines, problems): ask the index until every wheel is settled or `wait` seconds have passed, saying
    what it answered while it waits; provenance is checked when `repository` is given. A round whose answer
    fails leaves what an earlier round was answered."""
    started = time.monotonic()
    settled: dict[str, Verdict] = {}
    pending: dict[str, str] = {}  # the wheels not settled yet: what the index last said of each
    root_seen, said, said_at = False, "", 0.0
    while True:
        # each round's answers within a minute, and within the wait left (at least a few seconds)
        budget = min(DEADLINE_SECONDS, max(started + wait - time.monotonic(), MIN_ROUND_SECONDS))
        deadline = time.monotonic() + budget
        unsettled = [w for w in wheels if w.path.name not in settled]
        try:
            listed = published_files(index_url, PROJECT, timeout=budget, probe_root=not root_seen)
            root_seen = True
        except IndexReadError as exc:
            for wheel in unsettled:  # an answer from an earlier round stands: this round only failed
                pending.setdefault(wheel.path.name, f"{exc}; nothing is assumed about what is published")
            unsettled = []
        if unsettled and not listed:
            pending = {w.path.name: f"{w.path.name} is not on the index, which has no {PROJECT} project yet (HTTP "
                                    "404): this check reads what the upload put there; run it after the upload"
                       for w in unsettled}
            unsettled = []
        for wheel in unsettled:
            name = wheel.path.name
            kind, text = file_verdict(wheel, listed.get(name), deadline)
            if kind == "ok" and repository is not None:
                url = listed[name].provenance_url or integrity_url(index_url, version, name)
                kind, checked = provenance_verdict(wheel, url, repository, deadline)
                text = f"{text}; {checked}" if kind == "ok" else checked
            if kind == "pending":
                pending[name] = text
            else:
                settled[name] = kind, text
                pending.pop(name, None)
        problems = [text for kind, text in settled.values() if kind == "final"]
        left = started + wait - time.monotonic()
        if problems or not pending or left < RETRY_SECONDS:
            break  # a final problem is final: no wait mends it, nor makes the release good
        now = "; ".join(pending.values())
        if now != said or time.monotonic() - said_at >= 60:  # a line when the answer changes, else each minute
            print(f"waiting: {now}; asking again in {RETRY_SECONDS:g} s, {left:.0f} s of --wait {wait:g} left",
                  flush=True)
            said, said_at = now, time.monotonic()
        time.sleep(RETRY_SECONDS)
    waited = "" if problems else f" (still so after {time.monotonic() - started:.1f} s of asking, --wait {wait:g})"
    oks = [text for kind, text in settled.values() if kind == "ok"]
    return oks, problems + [f"{problem}{waited}" for problem in pending.values()]


def arguments(parser: argparse.ArgumentParser) -> None:
    wheels_arguments(parser)
    index_url_argument(parser)
    parser.add_argument("--repository", metavar="OWNER/NAME",
                        help="the GitHub repository whose publish.yml must have published them "
                             "(default: [project.urls] Source's)")
    parser.add_argument("--wait", type=seconds, default=600.0, metavar="SECONDS",
                        help="ask again for a file not listed yet until this many seconds passed (default 600)")
    parser.add_argument("--require-provenance", action="store_true",
                        help="require provenance on any index, not only PyPI and TestPyPI (tests)")


def run(args: argparse.Namespace) -> int:
    release, wheels, problems = index_check_wheels(args, "published-check")
    if release is None or problems:
        return report(problems)
    repository = args.repository or release.repository
    here = os.environ.get("GITHUB_REPOSITORY", "")
    if here and here.lower() != repository.lower():
        return report([f"this run is in {shown(here)}, but the provenance is checked against {shown(repository)} "
                       "([project.urls] Source, or --repository): expected them to agree; run it in the repository "
                       "that publishes"])
    attested = args.require_provenance or urlsplit(args.index_url).hostname in ATTESTING_INDEXES
    oks, problems = published_check(wheels, release.version, args.index_url, repository if attested else None,
                                    args.wait)
    if not attested:
        oks.append(f"provenance not checked: {redacted(args.index_url)} is not PyPI or TestPyPI, which attest "
                   "uploads made by trusted publishing")
    for line in oks:
        print(f"ok: {line}")
    return report(problems)


def seconds(text: str) -> float:
    """A number of seconds from 0 to a day (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"{shown(text)}: expected a number of seconds from 0 to 86400")
    return value
