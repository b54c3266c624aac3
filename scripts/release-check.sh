#!/usr/bin/env bash
# The release check: `make release-check` (tox -e release-check) and publish.yml's
# verify job. The Python half is release_check.py.
#
#   scripts/release-check.sh [TAG]
#
# TAG: the argument, else $TAG, else $GITHUB_REF_NAME when $GITHUB_REF_TYPE is
# "tag", else v<[project] version of pyproject.toml>.
# DIST: $DIST is checked against the full release set (one wheel per OS, as in
# CI); unset, dist/ is checked for the host wheel only.
# In order: the tag, the checkout (nothing uncommitted, the tag free or on HEAD),
# the wheels, twine check --strict, abi3audit; then a report (also appended to
# $GITHUB_STEP_SUMMARY as markdown when set) and `ready to release TAG`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=(python "$here/release_check.py")

for tool in twine abi3audit; do
  if ! python -c "import $tool" 2>/dev/null; then
    echo "error: $tool is not installed in this Python: run the release check through 'make release-check', whose tox env installs the locked tools" >&2
    exit 2
  fi
done
if [[ $# -gt 1 ]]; then
  echo "error: expected at most one argument (the tag), found $#; usage: $0 [TAG]" >&2
  exit 2
fi
if [[ $# -eq 1 ]]; then
  tag=$1 source="argument"
elif [[ -n ${TAG:-} ]]; then
  tag=$TAG source="TAG"
elif [[ ${GITHUB_REF_TYPE:-} == tag && -n ${GITHUB_REF_NAME:-} ]]; then
  tag=$GITHUB_REF_NAME source="GITHUB_REF_NAME"
else
  # release_check.py version says in one line what is wrong with pyproject.toml.
  version=$("${check[@]}" version) || exit 1
  tag="v$version" source="pyproject.toml"
fi
if [[ -n ${DIST:-} ]]; then
  dist=${DIST%/} platforms="linux,windows" scope="full release set"  # DIST=dist/ shows as dist/, not dist//
  dist=${dist:-/}
else
  dist=dist platforms="host" scope="host wheel only"
fi

printf 'release check for tag %q (from %s), wheels in %q (%s)\n' "$tag" "$source" "$dist/" "$scope"
"${check[@]}" tag -- "$tag"
"${check[@]}" git -- "$tag"
wheels=$("${check[@]}" dist --tag="$tag" --platforms "$platforms" -- "$dist")
echo "ok: $dist/ holds exactly the expected wheels, each sound"
if [[ -n ${GITHUB_REPOSITORY:-} ]]; then
  echo "ok: their METADATA names https://github.com/$GITHUB_REPOSITORY, the repository that publishes them"
else
  echo "skipped: the Project-URL check (GITHUB_REPOSITORY is not set, so there is no repository to compare [project.urls] with; CI sets it)"
fi

# The names below were validated by release_check.py dist: exactly the release names.
files=()
while IFS=$'\t' read -r _ file _ _; do files+=("$dist/$file"); done <<<"$wheels"
if ! twine_log=$(python -m twine check --strict "${files[@]}" 2>&1); then
  printf '%s\n' "$twine_log" >&2
  echo "error: twine check --strict rejected the wheels in $dist/: expected clean metadata, found the problems above; fix README.md or [project] and rebuild" >&2
  exit 1
fi
echo "ok: twine check --strict passed"
if ! abi3_log=$(python -m abi3audit --strict --report "${files[@]}" 2>&1); then
  printf '%s\n' "$abi3_log" >&2
  echo "error: abi3audit found the extension using more than the stable ABI it is tagged for: expected only limited-API symbols; fix src/native/module.c" >&2
  exit 1
fi
echo "ok: abi3audit --strict: only the stable ABI is used"

echo
printf '%-8s %-70s %10s  %s\n' platform wheel bytes sha256
while IFS=$'\t' read -r platform file size sha; do
  printf '%-8s %-70s %10s  %s\n' "$platform" "$file" "$size" "$sha"
done <<<"$wheels"

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  # `if ! { ...; } >>file` would not see a failed redirection (bash 5.2): test the group itself
  if {
    echo "### Release check: $tag"
    echo
    echo "| platform | wheel | bytes | sha256 |"
    echo "|---|---|---:|---|"
    while IFS=$'\t' read -r platform file size sha; do
      echo "| $platform | \`$file\` | $size | \`$sha\` |"
    done <<<"$wheels"
    echo
    echo "Tag, checkout, wheel set, \`twine check --strict\` and \`abi3audit --strict\`: ok."
  } 2>/dev/null >>"$GITHUB_STEP_SUMMARY"; then
    :
  else
    printf 'error: cannot append the report to GITHUB_STEP_SUMMARY=%q: expected a writable file (GitHub sets one in CI); unset it locally\n' "$GITHUB_STEP_SUMMARY" >&2
    exit 1
  fi
fi

echo
echo "ready to release $tag"
