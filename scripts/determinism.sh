#!/bin/sh
# Same binary, scenario and seed give the same report bytes; so do builds at
# -O0 and -O2 (DESIGN.md 11); and every scenario's timeline is drawn.
# Usage: sh scripts/determinism.sh [BUILD]
#
# Runs every scenario under scenarios/ twice with the given build, drawing
# the timelines with gnuplot (the two runs side by side, one gnuplot each),
# and once each with fresh -O0 and -O2 builds with no gnuplot on PATH (they
# write timeline.dat and timeline.gp but no pictures).  Then:
#   pictures:    run a has timeline.png and timeline.svg for every scenario,
#                not empty, the SVG well formed ($BUILD/tools/svgcheck, and
#                xmllint --noout when it is installed);
#   determinism: run b is the same bytes as run a, pictures included; the
#                -O0 and -O2 runs are the same bytes except the pictures.
# Prints one line for each, ending in `yes` or `NO`.
set -u
BUILD=${1:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-det.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
pictures=0
# SAN= : under `make sanitize` the sanitizer flags reach this make through
# MAKEFLAGS; these builds must not take them, or a later plain `make test`
# links sanitized objects without the runtime.
make -s BUILD=build-o0 OPT="-O0 -g" SAN= build-o0/ccsim >/dev/null || exit 1
make -s BUILD=build-o2 OPT="-O2" SAN= build-o2/ccsim >/dev/null || exit 1
command -v gnuplot >/dev/null 2>&1 || { echo "pictures: gnuplot is not installed (sh scripts/install-deps.sh): NO"; exit 1; }
svgcheck=$BUILD/tools/svgcheck
[ -x "$svgcheck" ] || { echo "pictures: $svgcheck is missing (make $svgcheck): NO"; exit 1; }
xmllint=$(command -v xmllint || true)

check_pictures() {   # check_pictures DIR SCENARIO
  for f in timeline.png timeline.svg; do
    [ -s "$1/$f" ] || { echo "pictures: $2: $f is missing or empty"; return 1; }
  done
  "$svgcheck" "$1/timeline.svg" || return 1
  if [ -n "$xmllint" ]; then "$xmllint" --noout "$1/timeline.svg" || return 1; fi
  return 0
}

n=0
for y in $(find scenarios -name '*.yaml' | LC_ALL=C sort); do
  n=$((n + 1))
  "$BUILD/ccsim" run "$y" -q --out "$tmp/a/$n" >/dev/null 2>"$tmp/a-$n.err" & pa=$!
  "$BUILD/ccsim" run "$y" -q --out "$tmp/b/$n" >/dev/null 2>&1 & pb=$!
  wait $pa; rca=$?
  wait $pb; rcb=$?
  for run in o0:build-o0 o2:build-o2; do
    tag=${run%%:*}; bin=${run#*:}/ccsim
    PATH=/nonexistent-ccsim-no-gnuplot "$bin" run "$y" -q --out "$tmp/$tag/$n" >/dev/null 2>&1
    [ "$?" -eq 2 ] && { echo "determinism: $y: $bin could not run it"; status=1; }
  done
  if [ "$rca" -eq 2 ] || [ "$rcb" -eq 2 ]; then
    echo "determinism: $y: $BUILD/ccsim could not run it:"; head -3 "$tmp/a-$n.err"; status=1
  fi
  if check_pictures "$tmp/a/$n" "$y"; then pictures=$((pictures + 1)); else head -3 "$tmp/a-$n.err"; fi
  if ! diff -r "$tmp/a/$n" "$tmp/b/$n" >/dev/null; then
    echo "determinism: $y: run 'b' differs from run 'a':"
    diff -r "$tmp/a/$n" "$tmp/b/$n" | head -5
    status=1
  fi
  for tag in o0 o2; do
    if ! diff -r -x '*.png' -x '*.svg' "$tmp/a/$n" "$tmp/$tag/$n" >/dev/null; then
      echo "determinism: $y: run '$tag' differs from run 'a':"
      diff -r -x '*.png' -x '*.svg' "$tmp/a/$n" "$tmp/$tag/$n" | head -5
      status=1
    fi
  done
done
[ "$n" -gt 0 ] || { echo "determinism: no scenarios found"; exit 1; }
echo "pictures: $pictures of $n timelines drawn, PNG and SVG present, SVG well formed: $([ $pictures -eq $n ] && echo yes || echo NO)"
echo "determinism: $n scenarios, 4 runs each, same bytes: $([ $status -eq 0 ] && echo yes || echo NO)"
[ "$pictures" -eq "$n" ] || status=1
exit $status
