#!/bin/sh
# The layers of ccsim, bottom up (docs/engine.md "Layers"): a file may
# include headers of its own layer and the layers below, never above.
#
#   0 core      sim/*.{c,h} and sim/scenario/: time, events, clocks,
#               network, faults, history records, rng, the scenario loader
#   1 lincheck  sim/lincheck/: the linearizability search (a library)
#   2 families  protocols/ and sim/workload/: the models and their drivers
#   3 checks    sim/check/: verdicts from a run's history
#   4 reports   sim/report/: summary.json, history.edn, story, timelines
#   5 registry  sim/registry/: the one list of families, workloads, checks
#   6 cli       sim/cli/: the command line
#
# Within the families, a header (the interface a model sees and offers)
# includes sim/env.h and sim/config.h, never sim/family.h or the scenario
# loader: only a family's descriptor file (a .c) binds it to the scenario.
#
# Tests and tools (tests/) may include anything.  Prints one line per
# include that runs against the layers, then `layers: N passed, N failed`
# (N = files checked).  Exit 1 on any violation.
set -u
cd "$(dirname "$0")/.."

rank() {   # rank PATH -> the layer number, or nothing for files outside the layers
  case "$1" in
    sim/scenario/*) echo 0 ;;
    sim/lincheck/*) echo 1 ;;
    sim/check/*) echo 3 ;;
    sim/report/*) echo 4 ;;
    sim/registry/*) echo 5 ;;
    sim/cli/*) echo 6 ;;
    sim/workload/*) echo 2 ;;
    sim/*/*) echo 9 ;;            # a new folder: give it a layer above
    sim/*) echo 0 ;;
    protocols/*) echo 2 ;;
  esac
}

passed=0
failed=0
for f in $(find sim protocols -name '*.[ch]' | LC_ALL=C sort); do
  r=$(rank "$f")
  ok=1
  for inc in $(sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f"); do
    case "$inc" in sim/*|protocols/*) ;; *) continue ;; esac
    ri=$(rank "$inc")
    [ -n "$ri" ] || continue
    if [ "$ri" -gt "$r" ]; then
      echo "layers: $f (layer $r) includes $inc (layer $ri)"
      ok=0
    fi
  done
  case "$f" in
    protocols/*.h|sim/workload/*.h)
      if grep -q '^[ \t]*#[ \t]*include[ \t]*"sim/\(family\.h\|scenario/\)' "$f"; then
        echo "layers: $f (a model's header) includes the scenario or sim/family.h; keep those to the descriptor's .c"
        ok=0
      fi ;;
  esac
  if [ "$ok" -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
