#!/bin/sh
# Hashes every report file of every scenario in the library, one line per
# file: "SHA256  scenario/file".  A refactor that must not change behaviour
# keeps this output identical: take it before, take it after, diff.
#   sh scripts/report-hashes.sh [CCSIM] > before.txt
# Runs without gnuplot on PATH, so pictures are not drawn (their inputs,
# timeline.gp and the .dat files, are hashed).
set -u
CCSIM=${1:-build/ccsim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-hash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for y in $(find scenarios -name '*.yaml' | LC_ALL=C sort); do
  n=$(echo "$y" | sed 's|^scenarios/||; s|\.yaml$||; s|/|_|g')
  PATH=/nonexistent-ccsim-no-gnuplot "$CCSIM" run "$y" -q --out "$tmp/$n" >"$tmp/$n.out" 2>&1
  echo "exit $?" >>"$tmp/$n.out"
  sed "s|$tmp/||g" "$tmp/$n.out" >"$tmp/$n.stdout" && rm "$tmp/$n.out"
done
cd "$tmp" && find . -type f | LC_ALL=C sort | xargs sha256sum | sed 's|  \./|  |'
