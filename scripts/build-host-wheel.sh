#!/usr/bin/env bash
# Build the wheel for this machine into DIR (default dist/): `python -m build
# --no-isolation` with the locked build tools of this tox env, then on Linux
# `auditwheel repair` to the manylinux tag cibuildwheel builds for (from
# pyproject.toml). Older castagnoli wheels in DIR are replaced, so DIR holds
# exactly this version's wheel. Timestamps come from SOURCE_DATE_EPOCH (the
# Makefile sets it to the commit time): the same commit gives the same bytes.
# Run through `make wheel` (tox -e wheel).
set -euo pipefail

out=${1:-dist}
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  echo "warning: SOURCE_DATE_EPOCH is not set: this wheel's timestamps are the build time (make wheel sets it)" >&2
fi

python -m build --wheel --no-isolation --outdir "$raw/built" .
if [[ $(uname -s) == Linux ]]; then
  image=$(python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["tool"]["cibuildwheel"]["linux"]["manylinux-x86_64-image"])')
  auditwheel repair --plat "${image}_$(uname -m)" --only-plat --wheel-dir "$raw/repaired" "$raw"/built/*.whl
else
  mv "$raw/built" "$raw/repaired"
fi

mkdir -p "$out"
shopt -s nullglob
for old in "$out"/castagnoli-*.whl; do
  echo "replacing $old"
  rm -f -- "$old"
done
mv "$raw"/repaired/*.whl "$out"/
echo "host wheel in $out/:"
for wheel in "$out"/castagnoli-*.whl; do
  echo "  $(basename "$wheel")  sha256 $(sha256sum "$wheel" | cut -d' ' -f1)"
done
