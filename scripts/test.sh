#!/bin/sh
# The suite behind `make test` (DESIGN.md 1): the unit tests (cmocka), the
# scenario library and the regression scenarios of tests/limits/ (the
# largest values the loader accepts) against their `expect:` blocks, the
# broken-file tests, the fuzz corpora replayed (tests/fuzz/README.md), a
# sweep sharded by GNU parallel and merged, a short VOPR (scripts/vopr.sh),
# and the determinism test, which also draws every scenario's timeline and
# checks the pictures (scripts/determinism.sh), and the part of `make
# conformance` that needs no Redis server: the replay driver's log parser on
# its broken logs and samples; and the guided tour's commands and quotes
# (docs/tour/check.sh).  Prints one line per part and `N passed,
# N failed` last.  BUILD names the build folder (build, or
# build-san for sanitizers).
#   sh scripts/test.sh [all|unit|layers|scenarios|hermitage|broken|fuzz|sweeps|vopr|tour|determinism|conformance]
set -u
# `make test` runs this script as a recipe, not as a sub-make, so the makes
# it starts (scripts/determinism.sh, tests/family_copy.sh) see the parent's
# -jN but not its job slots: GNU make would warn and build one job at a
# time.  They drop the slots and run their own -jN.
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed 's/--jobserver-[a-z]*=[^ ]*//g')
export MAKEFLAGS
BUILD=${BUILD:-build}
CCSIM=$BUILD/ccsim
part=${1:-all}
passed=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-test.XXXXXX")
trap 'rm -rf "$log"' EXIT

count() {   # count PASSED FAILED
  passed=$((passed + $1)); failed=$((failed + $2))
}

run_unit() {
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out="$log/$name.out"
    "$t" >"$out" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi      # crashed before its summary
    count "$p" "$f"
    if [ "$rc" -eq 0 ]; then echo "unit  $name: $p passed"
    else echo "unit  $name: $p passed, $f failed"; sed 's/^/      /' "$out" | grep -v '^      \[ \(RUN\|       OK\) ' | tail -40; fi
  done
}

run_scenarios() {
  out="$log/scenarios.out"
  "$CCSIM" check scenarios/ tests/limits/ >"$out" 2>&1
  rc=$?
  p=$(grep -c '^PASS ' "$out")
  f=$(grep -c '^FAIL ' "$out")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  count "$p" "$f"
  echo "scenarios: $p passed, $f failed"
  [ "$rc" -eq 0 ] || grep -v '^PASS ' "$out" | sed 's/^/      /'
}

# run_tallied NAME NOTE CMD...: runs CMD, whose last line is `NAME: P
# passed, F failed`, adds P and F to the tally (a failing exit with no
# failure counted counts one), prints that line with NOTE, and on failure
# the rest of CMD's output.
run_tallied() {
  name=$1 note=$2
  shift 2
  "$@" >"$log/$name.out" 2>&1
  rc=$?
  p=$(sed -n "s/^$name: \\([0-9]*\\) passed, \\([0-9]*\\) failed\$/\\1/p" "$log/$name.out")
  f=$(sed -n "s/^$name: \\([0-9]*\\) passed, \\([0-9]*\\) failed\$/\\2/p" "$log/$name.out")
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  count "$p" "$f"
  echo "$name: $p passed, $f failed$note"
  [ "$rc" -eq 0 ] || grep -v "^$name: " "$log/$name.out" | tail -40
}

# The Hermitage scenarios: they pass, every expectation bites when changed,
# the known differences from Hermitage are exactly the recorded ones, and
# the files are the generator's (tests/hermitage.sh; docs/hermitage.md).
run_hermitage() {
  run_tallied hermitage "" sh tests/hermitage.sh "$CCSIM"
}

# Each tests/broken/*.yaml (the loader's errors) and tests/registry_broken/*.yaml
# (names the registry refuses: a check that does not apply) starts with
# `# error: MSG`; `ccsim run` must exit 2 and print FILE:MSG as its first
# line on stderr, and write no report.
run_broken() {
  p=0; f=0
  for y in tests/broken/*.yaml tests/registry_broken/*.yaml; do
    [ -f "$y" ] || continue
    want="$y:$(sed -n '1s/^# error: //p' "$y")"
    out="$log/broken-$(basename "$y" .yaml)"
    "$CCSIM" run "$y" --out "$out" >/dev/null 2>"$out.err"
    rc=$?
    got=$(head -n 1 "$out.err")
    if [ "$rc" -eq 2 ] && [ "$got" = "$want" ] && [ ! -e "$out" ]; then
      p=$((p + 1))
    else
      f=$((f + 1))
      echo "      broken $y: exit $rc"
      echo "        want: $want"
      echo "        got:  $got"
    fi
  done
  count "$p" "$f"
  echo "broken files: $p passed, $f failed"
}

# The conformance driver's parser, no server started (docs/conformance.md):
# each tests/conformance/broken/*.log starts with `# error: MSG` and
# `redis_replay --parse-only` must exit 2 with FILE:MSG as its first line on
# stderr; the samples must parse clean.  The same for sql_replay and
# tests/conformance/sql/{broken,samples}/.
# A replay driver's parser (`BIN --parse-only`) on DIR/broken/*.log, each
# of which must exit 2 with the located error its first line names, and on
# DIR/samples/*.log, which must parse.  Adds to p and f; WHAT names the
# driver's logs in failure lines ("log", "sql log").
check_log_parser() {
  bin=$1; dir=$2; what=$3
  for l in "$dir"/broken/*.log; do
    want="$l:$(sed -n '1s/^# error: //p' "$l")"
    "$bin" --parse-only "$l" >/dev/null 2>"$log/conf.err"
    rc=$?
    got=$(head -n 1 "$log/conf.err")
    if [ "$rc" -eq 2 ] && [ "$got" = "$want" ]; then p=$((p + 1))
    else
      f=$((f + 1))
      echo "      broken $what $l: exit $rc"; echo "        want: $want"; echo "        got:  $got"
    fi
  done
  for l in "$dir"/samples/*.log; do
    if "$bin" --parse-only "$l" >/dev/null 2>"$log/conf.err"; then p=$((p + 1))
    else f=$((f + 1)); echo "      $what sample $l does not parse:"; sed 's/^/        /' "$log/conf.err"; fi
  done
}

run_conformance_input() {
  p=0; f=0
  check_log_parser "$BUILD/conformance/redis_replay" tests/conformance log
  # The SQL replay driver's parser (docs/conformance.md), built when
  # libpq-dev and libmariadb-dev are installed.
  sql=$BUILD/conformance/sql_replay
  if [ -x "$sql" ]; then
    check_log_parser "$sql" tests/conformance/sql "sql log"
  else
    echo "      (sql_replay not built: libpq-dev / libmariadb-dev missing; its parser test skipped)"
  fi
  count "$p" "$f"
  echo "conformance logs (parser only): $p passed, $f failed"
}

# One sweep split into shards by GNU parallel and merged must equal the
# sweep run whole (tests/sweep_parallel.sh; docs/sweeps.md).
run_sweeps() {
  if sh tests/sweep_parallel.sh "$BUILD" >"$log/sweeps.out" 2>&1; then
    count 1 0; tail -n 1 "$log/sweeps.out"
  else
    count 0 1; echo "sweep shards: 1 failed"; sed 's/^/      /' "$log/sweeps.out" | tail -20
  fi
}

# Each fuzz target's corpus (tests/fuzz/corpus/NAME, crash reproducers
# included) replayed through $BUILD/fuzz/replay-NAME: no crash, no
# sanitizer report (in build-san), no broken error contract.
run_fuzz_corpora() {
  p=0; f=0
  for d in tests/fuzz/corpus/*/; do
    name=$(basename "$d")
    bin=$BUILD/fuzz/replay-$name
    if [ -x "$bin" ] && "$bin" "$d" >"$log/fuzz-$name.out" 2>&1; then
      p=$((p + 1))
    else
      f=$((f + 1))
      echo "      fuzz corpus $name: failed ($bin $d)"
      tail -n 20 "$log/fuzz-$name.out" 2>/dev/null | sed 's/^/        /'
    fi
  done
  count "$p" "$f"
  echo "fuzz corpora: $p passed, $f failed ($(cat "$log"/fuzz-*.out 2>/dev/null | sed -n 's/^replay replay-\(.*\): \([0-9]*\) inputs$/\1 \2/p' | tr '\n' ' ' | sed 's/ $//'))"
}

# scripts/determinism.sh draws every scenario's timeline (twice) and prints
# a `pictures:` and a `determinism:` line, each ending in yes or NO.
run_determinism() {
  sh scripts/determinism.sh "$BUILD" >"$log/det.out" 2>&1
  rc=$?
  for what in pictures determinism; do
    if grep -q "^$what: .*: yes\$" "$log/det.out"; then
      count 1 0; echo "$what: 1 passed ($(sed -n "s/^$what: \(.*\): yes\$/\1/p" "$log/det.out"))"
    else
      count 0 1; echo "$what: 1 failed"
    fi
  done
  [ "$rc" -eq 0 ] || sed 's/^/      /' "$log/det.out" | tail -20
}

# The layers (scripts/check-layers.sh: no include runs upward), and the
# core engine built alone: its own tests linked against libccsim-core.a,
# with no protocol in it (`make core`).
run_layers() {
  if sh scripts/check-layers.sh >"$log/layers.out" 2>&1; then
    count 1 0; echo "layers: 1 passed ($(tail -n 1 "$log/layers.out" | sed 's/^layers: //'))"
  else
    count 0 1; echo "layers: 1 failed"; grep -v ' passed, ' "$log/layers.out" | sed 's/^/      /'
  fi
  p=0; f=0
  for t in "$BUILD"/core/test_*; do
    [ -x "$t" ] || continue
    if "$t" >"$log/core.out" 2>&1; then p=$((p + 1)); else f=$((f + 1)); tail -20 "$log/core.out"; fi
  done
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "      no core test binaries in $BUILD/core (make core)"; fi
  count "$p" "$f"
  echo "core alone: $p passed, $f failed (engine tests linked without protocols/)"
  # A new family is its folder and one registry line (tests/family_copy.sh);
  # it reuses the default build's objects, so only that build runs it.
  [ "$BUILD" = build ] || return 0
  if sh tests/family_copy.sh "$BUILD" >"$log/family.out" 2>&1; then
    count 1 0; echo "family copy: 1 passed"
  else
    count 0 1; echo "family copy: 1 failed"; sed 's/^/      /' "$log/family.out" | tail -20
  fi
}

# A short VOPR: one round of 20 seeds of every library scenario with a
# swarm nemesis added, failing on any internal error (scripts/vopr.sh).
run_vopr() {
  if VOPR_ROUNDS=1 VOPR_SEEDS=20 sh scripts/vopr.sh 900 "$BUILD/ccsim" >"$log/vopr.out" 2>&1; then
    count 1 0; echo "vopr: 1 passed ($(sed -n 's/^vopr: \([0-9]* seeds of [0-9]* scenarios\).*/\1/p' "$log/vopr.out" | tail -n 1), swarm nemesis, no internal error)"
  else
    count 0 1; echo "vopr: 1 failed"; sed 's/^/      /' "$log/vopr.out" | tail -30
  fi
}

# The guided tour's commands and quoted output against the binary
# (docs/tour/check.sh): every command exits as the chapter says, every
# quoted line is printed.  It runs ./ccsim, so only the default build.
run_tour() {
  [ "$BUILD" = build ] || return 0
  run_tallied tour " (docs/tour: commands and quoted output)" sh docs/tour/check.sh
}

case "$part" in
  unit) run_unit ;;
  tour) run_tour ;;
  layers) run_layers ;;
  scenarios) run_scenarios ;;
  hermitage) run_hermitage ;;
  broken) run_broken ;;
  fuzz) run_fuzz_corpora ;;
  sweeps) run_sweeps ;;
  vopr) run_vopr ;;
  determinism) run_determinism ;;
  conformance) run_conformance_input ;;
  all) run_unit; run_layers; run_scenarios; run_hermitage; run_broken; run_conformance_input; run_fuzz_corpora; run_sweeps; run_vopr; run_tour; run_determinism ;;
  *) echo "scripts/test.sh: unknown part '$part'" >&2; exit 2 ;;
esac
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
