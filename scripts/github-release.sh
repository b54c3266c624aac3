#!/usr/bin/env bash
# Create the GitHub Release for TAG with the wheels in DIR attached, GitHub's
# generated notes, marked latest (publish.yml's release job). Re-running it for
# a release that already exists re-uploads the assets instead of failing.
#
#   scripts/github-release.sh TAG [DIR]      (needs gh and GH_TOKEN)
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "error: expected TAG [DIR], found $# arguments; usage: $0 TAG [DIR]" >&2
  exit 2
fi
tag=$1
dist=${2:-dist}
shopt -s nullglob
wheels=("$dist"/*.whl)
if [[ ${#wheels[@]} -eq 0 ]]; then
  echo "error: no wheels in $dist/: expected the verified wheels to attach; download the release-dist artifact first" >&2
  exit 1
fi

if gh release view "$tag" >/dev/null 2>&1; then
  echo "release $tag exists: re-uploading ${#wheels[@]} wheel(s) and marking it latest"
  gh release upload "$tag" "${wheels[@]}" --clobber
  gh release edit "$tag" --latest
else
  echo "creating release $tag with ${#wheels[@]} wheel(s)"
  gh release create "$tag" "${wheels[@]}" --verify-tag --generate-notes --latest --title "$tag"
fi
