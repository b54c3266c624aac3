"""`python -m scripts COMMAND [ARGS]`: the one entry of the release tooling (make, tox, release-check.sh, CI).

Each command is one module whose docstring is its --help; `python -m scripts` alone, or --help, lists them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from .cli import EPILOG, UsageError
from .text import report, shown

# command -> (its module, the make target that runs it with the locked tools)
COMMANDS = {
    "check-tag": ("tag", "check-tag"),
    "release-check": ("release_check", "release-check"),
    "conflict-check": ("conflict_check", "conflict-check"),
    "published-check": ("published_check", "published-check"),
    "github-release": ("github_release", "github-release"),
    "publish-rehearsal": ("publish_rehearsal", "publish-rehearsal"),
    "wheels": ("build_wheels", "wheel (or make wheels)"),
    "test-report": ("test_report", "test"),
}


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f".{COMMANDS[name][0]}", __package__)


def overview() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {(command_module(name).__doc__ or '').splitlines()[0]}" for name in COMMANDS]
    return "\n".join(["usage: python -m scripts COMMAND [ARGS]  (make help lists the targets that run them)", "",
                      "commands:", *lines, "", "python -m scripts COMMAND --help gives a command's contract.",
                      EPILOG])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(overview())
        return 0
    if args[0] not in COMMANDS:
        report([f"no command {shown(args[0])}: expected one of {', '.join(COMMANDS)}; run python -m scripts --help "
                "for the list"])
        return 2  # a usage error
    name, module = args[0], command_module(args[0])
    parser = argparse.ArgumentParser(prog=f"python -m scripts {name}", description=module.__doc__,
                                     epilog=getattr(module, "EPILOG", EPILOG),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    module.arguments(parser)
    parsed = parser.parse_args(args[1:])
    try:
        code: int = module.run(parsed)
    except UsageError as exc:
        parser.error(str(exc))
    except ModuleNotFoundError as exc:
        return report([f"{name} needs the Python package {exc.name!r}, which is not installed here: run it through "
                       f"make (make {COMMANDS[name][1]}), whose tox env installs the locked tools"])
    return code


if __name__ == "__main__":
    sys.exit(main())
