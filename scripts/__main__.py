"""`python -m scripts COMMAND [ARGS]`: the one entry of the release tooling (make, tox, release-check.sh, CI)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

# command -> (module, whether the command name is passed on as its first argument)
COMMANDS = {
    **{name: ("release_check", True) for name in ("version", "tag", "git", "dist", "report")},
    "conflict-check": ("conflict_check", False),
    "published-check": ("published_check", False),
    "github-release": ("github_release", False),
    "publish-rehearsal": ("publish_rehearsal", False),
    "wheels": ("build_wheels", False),
    "test-report": ("test_report", False),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        found = repr(args[0]) if args else "none"
        print(f"error: expected a command, one of {', '.join(COMMANDS)}; found {found}; "
              "usage: python -m scripts COMMAND [ARGS] (make help lists what wraps each)", file=sys.stderr)
        return 2
    module, pass_name = COMMANDS[args[0]]
    entry: Callable[[Sequence[str]], int] = importlib.import_module(f".{module}", __package__).main
    return entry(args if pass_name else args[1:])


if __name__ == "__main__":
    sys.exit(main())
