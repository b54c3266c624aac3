#!/usr/bin/env bash
# The release check: `make release-check` (tox -e release-check) and publish.yml's verify job.
#
#   scripts/release-check.sh [--checkout | --wheels] [TAG]
#
# From the project's root, whatever the working directory: python -m scripts
# release-check checks the tag, the checkout and the wheels; its --help gives
# the contract (TAG: the argument, else $TAG, $GITHUB_REF_NAME in a tag run, or
# v<[project] version>; the wheels: $DIST, the full release set, else the host
# wheel in dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
options=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --checkout | --wheels) options+=("$1") ;;
    *) options+=("--tag=$1") ;;
  esac
  shift
done
exec python -m scripts release-check "${options[@]}"
