#!/bin/sh
# Adding a family touches its own folder and one registry line (docs/
# adding-a-protocol.md).  This proves it: in a copy of the tree it copies
# protocols/setnx_lock to protocols/newlock under new names (new-lock, nlk_,
# timer tags from 1500), adds the one line `X(nlk_family)` to
# sim/registry/registry.c, checks that nothing else outside the new folder
# differs, builds, and runs the L2 scenario with `protocol: new-lock`: the
# copy must give setnx-lock's verdicts, line for line.
# Usage: sh tests/family_copy.sh [BUILD]  (copies BUILD's objects, so only
# the new files and the registry compile).  Prints `family copy: yes` or NO.
set -u
BUILD=${1:-build}
top=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-family.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "family copy: $1: NO"; exit 1; }

mkdir "$tmp/tree"
cp -a Makefile sim protocols scenarios scripts "$tmp/tree/" || fail "cannot copy the tree"
[ -d "$BUILD" ] && cp -a "$BUILD" "$tmp/tree/build"
cd "$tmp/tree" || exit 1
mkdir protocols/newlock
for f in protocols/setnx_lock/*; do
  b=$(basename "$f" | sed 's/setnx_lock/newlock/')
  sed -e 's/setnx_lock/newlock/g; s/setnx-lock/new-lock/g; s/snx_/nlk_/g; s/SNX_/NLK_/g' \
      -e 's/SETNX_LOCK/NEWLOCK/g; s/NLK_TAG_BASE 1000u/NLK_TAG_BASE 1500u/' "$f" >"protocols/newlock/$b"
done
sed -i 's|^\(    X(snx_family) .*\)$|\1\n    X(nlk_family)       /* protocols/newlock */ \\|' sim/registry/registry.c

# Outside protocols/newlock, exactly one line differs from the original.
changed=$(cd "$top" && for d in Makefile sim protocols scenarios scripts; do
            diff -r "$d" "$tmp/tree/$d" -x newlock; done | grep -c '^[<>]')
[ "$changed" -eq 1 ] || fail "the copy changed $changed lines outside its folder, not 1"

make -s BUILD=build build/ccsim >"$tmp/make.log" 2>&1 || { tail -20 "$tmp/make.log"; fail "the copy does not build"; }
build/ccsim list protocols | grep -q '^new-lock -- ' || fail "ccsim list does not show new-lock"
sed 's/^protocol: setnx-lock/protocol: new-lock/' scenarios/locks/L2-lease-gc-pause.yaml >"$tmp/nl.yaml"
grep -q '^protocol: new-lock' "$tmp/nl.yaml" || fail "L2 names no setnx-lock protocol"
PATH=/nonexistent-ccsim-no-gnuplot build/ccsim run scenarios/locks/L2-lease-gc-pause.yaml -q \
  --out "$tmp/a" >"$tmp/a.out" 2>/dev/null
rca=$?
PATH=/nonexistent-ccsim-no-gnuplot build/ccsim run "$tmp/nl.yaml" -q --out "$tmp/b" >"$tmp/b.out" 2>/dev/null
rcb=$?
[ "$rca" -eq 1 ] || fail "setnx-lock's L2 exited $rca, not 1 (a violation)"
[ "$rcb" -eq "$rca" ] || fail "new-lock's L2 exited $rcb, setnx-lock's $rca"
cmp -s "$tmp/a.out" "$tmp/b.out" || { diff "$tmp/a.out" "$tmp/b.out"; fail "the verdicts differ"; }
cmp -s "$tmp/a/history.edn" "$tmp/b/history.edn" || fail "the histories differ"
echo "family copy: protocols/newlock + 1 registry line builds and gives L2's verdicts: yes"
