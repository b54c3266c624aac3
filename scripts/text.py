"""Showing untrusted values safely: file names, tags, index answers, URLs.

Until a value is validated it is shown with ascii(), so control characters,
newlines and tabs cannot forge a line of a report or a job summary.
"""

from __future__ import annotations

import os
import re
import sys
from urllib.parse import urlsplit, urlunsplit


def shown(value: object) -> str:
    """`value` quoted and escaped: printable ASCII only, never a raw newline or tab."""
    if isinstance(value, os.PathLike):
        value = os.fsdecode(value)
    return ascii(value)


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


def markdown_cell(text: str) -> str:
    """`text` for a GitHub markdown table cell: no markup, no pipes, no line breaks."""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~])", r"\\\1", text)


def report(problems: list[str]) -> int:
    """Print each problem as one 'error:' line on stderr; 1 if any, else 0."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0
