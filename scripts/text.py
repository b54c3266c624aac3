"""Showing untrusted values safely (file names, tags, index answers, URLs), one error line per problem, and the
one sha256 of a file.

Until a value is validated it is shown with ascii(), so control characters,
newlines and tabs cannot forge a line of a report or a job summary.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def shown(value: object) -> str:
    """`value` quoted and escaped: printable ASCII only, never a raw newline or tab."""
    if isinstance(value, os.PathLike):
        value = os.fsdecode(value)
    return ascii(value)


def plain(value: str) -> str:
    """`value` as it is when it is printable ASCII (a valid tag, a path), else shown()."""
    return value if value.isascii() and value.isprintable() else shown(value)


def redacted(url: str) -> str:
    """`url` without user name or password, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, f"***@{host}{port}", parts.path, parts.query, parts.fragment))


def sha256_of(path: Path) -> str:
    """The file's sha256, read in blocks (bounded memory for any size)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def report(problems: list[str]) -> int:
    """Print each problem as one 'error:' line on stderr; 1 if any, else 0."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0
