#!/bin/sh
# tests/sweep_parallel.sh BUILD -- docs/sweeps.md's GNU parallel recipe, as
# `make test` runs it: one sweep split into 4 shards run by GNU parallel,
# merged with `ccsim sweep --merge`, must print and write what the same
# sweep run in one piece does.  Prints one line; exits non-zero on a
# difference.
set -u
BUILD=${1:-build}
CCSIM=$BUILD/ccsim
SCN=tests/sweep/lease-race.yaml
SEEDS=1..400
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  echo "sweep shards: GNU parallel is missing (sh scripts/install-deps.sh installs Debian's 'parallel')"
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-sweep-parallel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A shard exits 1 when it finds failing seeds, which parallel counts as a
# failed job: the merge's exit code is the verdict, not parallel's.
seq 0 3 | parallel --will-cite -j 2 \
  "$CCSIM" sweep "$SCN" --seeds "$SEEDS" --shard {}/4 --jobs 1 --reports 0 --out "$tmp/shard-{}" \
  '>' "$tmp/shard-{}.txt"
for k in 0 1 2 3; do
  [ -s "$tmp/shard-$k/sweep.json" ] || { echo "sweep shards: shard $k wrote no sweep.json"; cat "$tmp/shard-$k.txt"; exit 1; }
done
"$CCSIM" sweep --merge "$tmp"/shard-*/sweep.json --out "$tmp/merged" >"$tmp/merged.txt"
merged_rc=$?
"$CCSIM" sweep "$SCN" --seeds "$SEEDS" --reports 0 --out "$tmp/whole" >"$tmp/whole.txt"
whole_rc=$?
sed -i '/^sweep.json /d' "$tmp/merged.txt" "$tmp/whole.txt"
if [ "$merged_rc" -ne "$whole_rc" ] || [ "$whole_rc" -ne 1 ]; then
  echo "sweep shards: exit $merged_rc merged, $whole_rc whole (expected 1 and 1)"; exit 1
fi
if ! cmp -s "$tmp/merged/sweep.json" "$tmp/whole/sweep.json" || ! cmp -s "$tmp/merged.txt" "$tmp/whole.txt"; then
  echo "sweep shards: the merge of 4 shards differs from the whole sweep:"
  diff "$tmp/whole/sweep.json" "$tmp/merged/sweep.json" | head -20
  diff "$tmp/whole.txt" "$tmp/merged.txt" | head -20
  exit 1
fi
echo "sweep shards: 4 shards by GNU parallel, merged = the whole sweep ($SEEDS of $SCN)"
