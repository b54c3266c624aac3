"""The bench's tables: columns as wide as their widest cell, whatever the kernel names are."""

from __future__ import annotations

from collections.abc import Sequence


def aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    """The rows as lines of a table: each column right-aligned to its widest cell, the first column apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [f"{row[0]:>{widths[0]}} | " + " ".join(f"{cell:>{width}}" for cell, width in zip(row[1:], widths[1:]))
            for row in rows]
