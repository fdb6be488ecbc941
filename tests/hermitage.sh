#!/bin/sh
# The Hermitage scenarios (scenarios/db/hermitage/, docs/hermitage.md):
#  1. every file passes `ccsim check` against its expect: block;
#  2. the expectations bite: for each file that expects `script: ok`, a
#     copy with one expectation changed must FAIL `ccsim check` -- the
#     first SELECT's rows replaced by a row that is not there, and (where
#     the file has them) its first `error:` dropped and its first
#     `blocks:` dropped;
#  3. the files where ccsim differs from Hermitage
#     (scripts/hermitage/differences.txt) fail their script check with
#     the recorded step lines, no more and no fewer;
#  4. with python3 present, the files are what scripts/hermitage/gen.py
#     writes from scripts/hermitage/cells.txt.
# Usage: sh tests/hermitage.sh [CCSIM]   Prints `hermitage: N passed, N failed`.
set -u
CCSIM=${1:-./ccsim}
dir=scenarios/db/hermitage
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-hermitage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
p=0; f=0
ok() { p=$((p + 1)); }
bad() { f=$((f + 1)); echo "      $1"; }

# 1
if "$CCSIM" check "$dir" >"$tmp/check.out" 2>&1; then ok
else bad "ccsim check $dir failed:"; grep -v '^PASS ' "$tmp/check.out" | sed 's/^/        /'; fi

# 2: mutate NAME KIND SEDEXPR: the mutated copy must fail.
mutate() {
  y=$1; kind=$2; expr=$3
  m="$tmp/mut-$(basename "$y" .yaml)-$kind.yaml"
  sed "$expr" "$y" >"$m"
  if cmp -s "$y" "$m"; then bad "$y: the $kind mutation changed nothing"; return; fi
  if "$CCSIM" check "$m" >"$tmp/mut.out" 2>&1; then bad "$y: still passes with its $kind expectation changed"
  elif grep -q '^FAIL ' "$tmp/mut.out"; then ok
  else bad "$y: the $kind mutation is not a verdict failure:"; sed 's/^/        /' "$tmp/mut.out"; fi
}
for y in "$dir"/HS-*.yaml; do
  grep -q '^  script: ok$' "$y" || continue
  mutate "$y" rows '0,/rows: \("[^"]*"\|none\)/s//rows: "9=99"/'
  grep -q 'error: "' "$y" && mutate "$y" error '0,/, error: "[0-9A-Z]*"/s///'
  grep -q 'blocks: [0-9]' "$y" && mutate "$y" blocks '0,/, blocks: [0-9]*/s///'
done

# 3
if [ -f scripts/hermitage/differences.txt ]; then
  for name in $(sed -n 's/^\(HS-[^ ]*\) .*/\1/p' scripts/hermitage/differences.txt); do
    y="$dir/$name.yaml"
    sed -n "/^$name /,/^[^ ]/{/^   *step /p}" scripts/hermitage/differences.txt | sed 's/^ *//' >"$tmp/want"
    "$CCSIM" run "$y" --out "$tmp/run" >/dev/null 2>&1
    grep -h '^ *step [0-9]' "$tmp/run/story.txt" 2>/dev/null | sed 's/^ *//' >"$tmp/got"
    if diff "$tmp/want" "$tmp/got" >"$tmp/diff"; then ok
    else bad "$y: the script check's mismatches are not the recorded ones:"; sed 's/^/        /' "$tmp/diff"; fi
    rm -rf "$tmp/run"
  done
fi

# 4
if command -v python3 >/dev/null 2>&1; then
  if python3 scripts/hermitage/gen.py --check >"$tmp/gen.out" 2>&1; then ok
  else bad "scenarios/db/hermitage/ is not what scripts/hermitage/gen.py writes:"; sed 's/^/        /' "$tmp/gen.out"; fi
fi
echo "hermitage: $p passed, $f failed"
[ "$f" -eq 0 ]
