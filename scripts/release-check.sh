#!/usr/bin/env bash
# The release check: `make release-check` (tox -e release-check) and publish.yml's
# verify job. The Python half is scripts/release_check.py (python -m scripts ...).
#
#   scripts/release-check.sh [--checkout] [TAG]
#
# --checkout: the tag and the checkout only (what make checks before it rebuilds
# the host wheel, so that a dirty tree is turned down before the build, not after).
# TAG: the argument, else $TAG, else $GITHUB_REF_NAME when $GITHUB_REF_TYPE is
# "tag", else v<[project] version of pyproject.toml>.
# DIST: $DIST is checked against the full release set (one wheel per OS, as in
# CI); unset, dist/ is checked for the host wheel only.
# In order: the tag, the checkout (nothing uncommitted, the tag free or on HEAD),
# the wheels (release_check.py), twine check --strict, abi3audit (here); then
# release_check.py's report (also appended to $GITHUB_STEP_SUMMARY as markdown
# when set) and `ready to release TAG`.
set -euo pipefail

check=(python -m scripts)  # the release tooling's entry, run from the project's root

if [[ ! -f pyproject.toml || ! -f scripts/__main__.py ]]; then
  echo "error: $(pwd) is not the project's root: expected pyproject.toml and scripts/ here; cd to the checkout (make release-check runs from there)" >&2
  exit 1
fi
for tool in twine abi3audit; do
  if ! python -c "import $tool" 2>/dev/null; then
    echo "error: $tool is not installed in this Python: run the release check through 'make release-check', whose tox env installs the locked tools" >&2
    exit 2
  fi
done
checkout_only=false
if [[ ${1-} == --checkout ]]; then
  checkout_only=true
  shift
fi
if [[ $# -gt 1 ]]; then
  echo "error: expected at most one argument (the tag), found $#; usage: $0 [--checkout] [TAG]" >&2
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
# The same scope as release_check.py's (wheel_scope): $DIST, the full release set; unset, the host wheel in dist/.
if [[ -n ${DIST:-} ]]; then
  dist=${DIST%/} scope="full release set"  # DIST=dist/ shows as dist/, not dist//
  dist=${dist:-/}
else
  dist=dist scope="host wheel only"
fi

printf 'release check for tag %q (from %s), wheels in %q (%s)\n' "$tag" "$source" "$dist/" "$scope"
"${check[@]}" tag -- "$tag"
"${check[@]}" git -- "$tag"
if $checkout_only; then
  exit 0
fi
"${check[@]}" dist --tag="$tag"

# release_check.py dist found exactly the release wheels in $dist and nothing else.
files=("$dist"/*.whl)
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

# release_check.py prints the table of the wheels (also to $GITHUB_STEP_SUMMARY), then "ready to release TAG".
"${check[@]}" report --tag="$tag"
