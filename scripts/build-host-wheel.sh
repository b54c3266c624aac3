#!/usr/bin/env bash
# Build the wheel for this machine into DIR (default dist/): `python -m build --wheel`,
# then auditwheel repair on Linux for a manylinux tag. Other wheels already in
# DIR are left alone. Run through `make wheel` / `tox -e wheel`.
set -euo pipefail

out=${1:-dist}
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT

python -m build --wheel --outdir "$raw" .
mkdir -p "$out"
if [[ $(uname -s) == Linux ]]; then
  auditwheel repair --wheel-dir "$out" "$raw"/*.whl
else
  cp "$raw"/*.whl "$out"/
fi
echo "host wheel in $out/:"
ls -1 "$out"
