#!/bin/sh
# Same binary, scenario and seed give the same report bytes; so do builds at
# -O0 and -O2 (DESIGN.md 11).  Usage: sh scripts/determinism.sh [BUILD]
# Runs every scenario under scenarios/ twice with the given build, and once
# each with fresh -O0 and -O2 builds, and compares the report directories.
set -u
BUILD=${1:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-det.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
# SAN= : under `make sanitize` the sanitizer flags would otherwise reach
# these builds through MAKEFLAGS.
make -s BUILD=build-o0 OPT="-O0 -g" SAN= build-o0/ccsim >/dev/null || exit 1
make -s BUILD=build-o2 OPT="-O2" SAN= build-o2/ccsim >/dev/null || exit 1
n=0
for y in $(find scenarios -name '*.yaml' | LC_ALL=C sort); do
  n=$((n + 1))
  for run in a:$BUILD b:$BUILD o0:build-o0 o2:build-o2; do
    tag=${run%%:*}; bin=${run#*:}/ccsim
    "$bin" run "$y" --no-plot -q --out "$tmp/$tag/$n" >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 2 ] && { echo "determinism: $y: $bin could not run it"; status=1; }
  done
  for tag in b o0 o2; do
    if ! diff -r "$tmp/a/$n" "$tmp/$tag/$n" >/dev/null; then
      echo "determinism: $y: run '$tag' differs from run 'a':"
      diff -r "$tmp/a/$n" "$tmp/$tag/$n" | head -5
      status=1
    fi
  done
done
[ "$n" -gt 0 ] || { echo "determinism: no scenarios found"; exit 1; }
echo "determinism: $n scenarios, 4 runs each, same bytes: $([ $status -eq 0 ] && echo yes || echo NO)"
exit $status
