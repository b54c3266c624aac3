#!/usr/bin/env bash
# The shell half of `make release-check` (tox -e release-check) and of publish.yml's verify job.
#
#   scripts/release-check.sh [TAG]
#
# TAG: the argument, else $TAG, else $GITHUB_REF_NAME when $GITHUB_REF_TYPE is
# "tag", else v<[project] version of pyproject.toml>.
# DIST: $DIST, checked against the full release set (one wheel per OS, as in CI);
# unset, dist/ is checked for the host wheel only, and the CI plan is shown.
# Runs check_release.py tag, check_release.py dist, twine check --strict, then
# prints a report (and appends it to $GITHUB_STEP_SUMMARY as markdown when set).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=("python" "$here/check_release.py")

version() {
  python -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' pyproject.toml
}

if [[ $# -gt 1 ]]; then
  echo "error: expected at most one argument (the tag), found $#: $*; usage: $0 [TAG]" >&2
  exit 2
fi
if [[ $# -eq 1 ]]; then
  tag=$1 source="argument"
elif [[ -n ${TAG:-} ]]; then
  tag=$TAG source="TAG"
elif [[ ${GITHUB_REF_TYPE:-} == tag && -n ${GITHUB_REF_NAME:-} ]]; then
  tag=$GITHUB_REF_NAME source="GITHUB_REF_NAME"
else
  # check_release.py tag reports a missing or bad version itself, so a failure here is not fatal.
  tag="v$(version 2>/dev/null || true)" source="pyproject.toml"
fi

if [[ -n ${DIST:-} ]]; then
  dist=$DIST platforms="linux,windows" scope="full release set"
else
  dist=dist platforms="host" scope="host wheel only"
fi

echo "release check for tag $tag (from $source), wheels in $dist/ ($scope)"
# twine check needs nothing from the tag and wheel-set checks, so it runs beside
# them; its verdict counts only once the tag and the set are right.
shopt -s nullglob
candidates=("$dist"/*.whl)
twine_log=$(mktemp)
twine_pid=
trap 'rm -f "$twine_log"' EXIT
if [[ ${#candidates[@]} -gt 0 ]]; then
  python -m twine check --strict "${candidates[@]}" >"$twine_log" 2>&1 &
  twine_pid=$!
fi
stop_twine() {
  if [[ -n $twine_pid ]]; then
    kill "$twine_pid" 2>/dev/null || true
    wait "$twine_pid" 2>/dev/null || true
  fi
}

if ! "${check[@]}" tag -- "$tag"; then
  stop_twine
  exit 1
fi
if ! wheels=$("${check[@]}" dist "$dist" --tag="$tag" --platforms "$platforms"); then
  stop_twine
  exit 1
fi
echo "ok: $dist/ holds exactly the expected wheels, each sound"
if ! wait "$twine_pid"; then
  cat "$twine_log" >&2
  echo "error: twine check --strict rejected the wheels in $dist/: expected clean metadata, found the problems above; fix README.md or [project] and rebuild" >&2
  exit 1
fi
echo "ok: twine check --strict passed"

echo
printf '%-8s %-70s %10s  %s\n' platform wheel bytes sha256
while IFS=$'\t' read -r platform file size sha; do
  printf '%-8s %-70s %10s  %s\n' "$platform" "$file" "$size" "$sha"
done <<<"$wheels"

if [[ -z ${DIST:-} ]]; then
  # The plan depends on pyproject.toml and the cibuildwheel in this env: inside
  # tox it is kept in the env's folder and recomputed when pyproject.toml changes.
  plan_cache=${TOX_ENV_DIR:+$TOX_ENV_DIR/ci-plan.txt}
  if [[ -z $plan_cache || ! -s $plan_cache || pyproject.toml -nt $plan_cache ]]; then
    plan=$(for os in linux windows; do
      printf '  %-8s %s\n' "$os" "$(python -m cibuildwheel --print-build-identifiers --platform "$os" | paste -sd' ' -)"
    done)
    [[ -z $plan_cache ]] || printf '%s\n' "$plan" >"$plan_cache"
  else
    plan=$(<"$plan_cache")
  fi
  echo
  echo "plan for CI (publish.yml builds these with cibuildwheel, one wheel per OS):"
  printf '%s\n' "$plan"
fi

if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  {
    echo "### Release check: $tag"
    echo
    echo "| check | result |"
    echo "|---|---|"
    echo "| tag \`$tag\` matches pyproject.toml | ok |"
    echo "| \`$dist/\` holds one sound wheel per platform ($platforms) | ok |"
    echo "| \`twine check --strict\` | ok |"
    echo
    echo "| platform | wheel | bytes | sha256 |"
    echo "|---|---|---:|---|"
    while IFS=$'\t' read -r platform file size sha; do
      echo "| $platform | \`$file\` | $size | \`$sha\` |"
    done <<<"$wheels"
  } >>"$GITHUB_STEP_SUMMARY"
fi

echo
echo "ready to release $tag"
