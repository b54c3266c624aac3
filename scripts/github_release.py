"""github-release: the GitHub Release of TAG with the verified wheels in DIR, safe to run again.

  python -m scripts github-release -- TAG [DIR]   (publish.yml's last job, make github-release)
      Needs gh, GH_TOKEN with contents: write, and GH_REPO (or a checkout of the repository).

- No release for TAG yet: `gh release create` makes it in one step (a draft, the
  wheels uploaded, then published), with GitHub's generated notes.
- A draft left by a failed run: the wheels are uploaded to it (drafts can still
  change), then it is published.
- A published release (immutable or not, its assets are final): its assets must
  be exactly the wheels, each digest equal to the wheel's sha256; then nothing
  is uploaded. A missing, different or extra asset is an error naming it.

It is marked latest only when TAG is the highest version released, so a backport
(v1.4.3 after v1.5.0) does not take "latest".
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

from .cli import UsageError
from .config import version_form_problem
from .text import report, sha256_of, shown


class GhError(Exception):
    """gh failed or answered what cannot be used."""


def gh(*args: str) -> str:
    """gh's output, or GhError with what it said."""
    result = subprocess.run(["gh", *args], capture_output=True, text=True)
    if result.returncode != 0:
        said = " ".join((result.stderr or result.stdout).split())[:300]
        raise GhError(f"'gh {' '.join(args[:2])}' failed (exit {result.returncode}; gh said: {said})")
    return result.stdout


def version_key(tag: str) -> tuple[int, ...] | None:
    """(X, Y, Z) of a stable vX.Y.Z tag, else None."""
    if not tag.startswith("v") or version_form_problem(tag[1:]) is not None:
        return None
    return tuple(int(part) for part in tag[1:].split("."))


def asset_problems(tag: str, assets: dict[str, str | None], wheels: dict[str, str]) -> list[str]:
    """Why a published release's assets (name -> digest) are not exactly the verified wheels (name -> sha256):
    one missing, with another digest, or an asset beside them."""
    fix = ("a published release's assets cannot be replaced (immutable releases refuse it): PyPI holds the "
           "verified wheels; release X.Y.Z+1 to publish them on GitHub, or, without immutability, delete the "
           "release and re-run this job")
    problems = [f"release {tag} holds {shown(name)} beside the verified wheels: expected exactly the wheels; {fix}"
                for name in sorted(set(assets) - set(wheels))]
    for name, sha256 in sorted(wheels.items()):
        if name not in assets:
            problems.append(f"release {tag} has no asset {name}: expected sha256:{sha256}; {fix}")
        elif assets[name] is None:
            problems.append(f"release {tag} asset {name} has no digest: expected sha256:{sha256}; compare it by "
                            "hand (gh release download) before trusting it")
        elif str(assets[name]).lower() != f"sha256:{sha256}":
            problems.append(f"release {tag} asset {name} has digest {shown(assets[name])}: expected "
                            f"sha256:{sha256} (the verified wheel); {fix}")
    return problems


def publish(tag: str, files: list[Path]) -> list[str]:
    """Create, complete or check the release; the problems, if any."""
    pages = json.loads(gh("api", "--paginate", "--slurp", "repos/{owner}/{repo}/releases?per_page=100"))
    existing = [release for page in pages for release in page]  # every release, drafts included
    ours = version_key(tag)
    latest = str(all((key := version_key(str(r["tag_name"]))) is None or ours is None or key <= ours
                     for r in existing if not r["draft"])).lower()
    print(f"{tag} is {'' if latest == 'true' else 'not '}the highest version released: "
          f"{'' if latest == 'true' else 'not '}marking it latest")
    mine = [r for r in existing if r["tag_name"] == tag]
    published = next((r for r in mine if not r["draft"]), None)
    paths = [str(f) for f in files]
    if published is not None:
        assets = {str(a["name"]): a.get("digest") for a in published.get("assets", [])}
        problems = asset_problems(tag, assets, {f.name: sha256_of(f) for f in files})
        if problems:
            return problems
        print(f"release {tag} is published with exactly these {len(files)} wheel(s) (digests equal): "
              "nothing to upload")
        gh("release", "edit", tag, f"--latest={latest}")
    elif mine:
        print(f"release {tag} is a draft left by an earlier run: uploading {len(files)} wheel(s), then publishing")
        gh("release", "upload", tag, *paths, "--clobber")
        gh("release", "edit", tag, "--draft=false", f"--latest={latest}")
    else:
        print(f"creating release {tag} with {len(files)} wheel(s)")
        gh("release", "create", tag, *paths, "--verify-tag", "--generate-notes", f"--latest={latest}",
           "--title", tag)
    return []


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tag", metavar="TAG", help="the pushed release tag, vX.Y.Z")
    parser.add_argument("dist", metavar="DIR", nargs="?", type=Path, default=Path("dist"),
                        help="the verified wheels (default: dist)")


def run(args: argparse.Namespace) -> int:
    if version_key(args.tag) is None:
        raise UsageError(f"tag {shown(args.tag)}: expected v followed by a stable X.Y.Z, the pushed release tag")
    files = sorted(args.dist.glob("*.whl")) if args.dist.is_dir() else []
    if not files:
        return report([f"no wheels in {shown(args.dist)}: expected the verified wheels to attach; download the "
                       "release-dist artifact first"])
    if shutil.which("gh") is None:
        return report(["gh (the GitHub CLI) is not on PATH: expected it, as on every GitHub-hosted runner; "
                       "install it from https://cli.github.com"])
    try:
        return report(publish(args.tag, files))
    except (GhError, json.JSONDecodeError, KeyError, TypeError) as exc:
        return report([f"{exc}: expected GH_TOKEN with contents: write, GH_REPO, and GitHub reachable; re-run the "
                       "job (every step is safe to repeat)"])
