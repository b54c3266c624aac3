#!/usr/bin/env bash
# Create the GitHub Release for TAG with the wheels in DIR attached and GitHub's
# generated notes (publish.yml's release job). It is marked latest only when
# TAG is the highest version released so far, so a backport (v1.4.3 after
# v1.5.0) is released without taking "latest"; the log says which. Re-running
# it for a release that exists re-uploads the assets instead of failing.
#
#   scripts/github-release.sh TAG [DIR]      (needs gh and GH_TOKEN)
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "error: expected TAG [DIR], found $# arguments; usage: $0 TAG [DIR]" >&2
  exit 2
fi
tag=$1
dist=${2:-dist}
if [[ ! $tag =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
  printf 'error: tag %q: expected v followed by a stable X.Y.Z; run it with the pushed release tag\n' "$tag" >&2
  exit 2
fi
shopt -s nullglob
wheels=("$dist"/*.whl)
if [[ ${#wheels[@]} -eq 0 ]]; then
  echo "error: no wheels in $dist/: expected the verified wheels to attach; download the release-dist artifact first" >&2
  exit 1
fi

# Every released stable version, to decide "latest" by version, not by date.
if ! released=$(gh release list --limit 1000 --json tagName --jq '.[].tagName' 2>&1); then
  echo "error: cannot list the releases (gh said: ${released//$'\n'/ }): expected GH_TOKEN with contents: write and GitHub reachable; re-run the job" >&2
  exit 1
fi
highest=$(printf '%s\n' "$released" "$tag" | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1)
if [[ $highest == "$tag" ]]; then
  latest=true
  echo "$tag is the highest version released: marking it latest"
else
  latest=false
  echo "$tag is not the highest version released ($highest is): not marking it latest"
fi

if view=$(gh release view "$tag" --json tagName 2>&1); then
  echo "release $tag exists: re-uploading ${#wheels[@]} wheel(s)"
  gh release upload "$tag" "${wheels[@]}" --clobber
  gh release edit "$tag" --latest="$latest"
elif [[ $view == *"release not found"* ]]; then
  echo "creating release $tag with ${#wheels[@]} wheel(s)"
  gh release create "$tag" "${wheels[@]}" --verify-tag --generate-notes --latest="$latest" --title "$tag"
else
  echo "error: cannot tell whether release $tag exists (gh said: ${view//$'\n'/ }): expected 'release not found' or the release; check GH_TOKEN and re-run the job" >&2
  exit 1
fi
