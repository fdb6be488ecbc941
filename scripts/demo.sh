#!/bin/sh
# `make demo`: Kleppmann's GC-pause scenario (L2), its verdicts, its story,
# and where its report is.  Usage: sh scripts/demo.sh PATH/TO/ccsim
set -u
CCSIM=${1:-build/ccsim}
SCENARIO=scenarios/locks/L2-lease-gc-pause.yaml
echo "== ccsim run $SCENARIO"
"$CCSIM" run "$SCENARIO"
rc=$?
echo
if [ "$rc" -eq 1 ]; then
  echo "The lock was broken, as Kleppmann described: the checks above found the violation."
  echo "Now try the fix, fencing tokens:  ./ccsim run scenarios/locks/L4-fencing-token-gc-pause.yaml"
  echo "The whole library:                ./ccsim check scenarios/"
  exit 0
fi
echo "demo: expected the GC-pause scenario to show a violation (exit 1), got exit $rc" >&2
exit 1
