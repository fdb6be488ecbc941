#!/bin/sh
# flash-sale-table.sh -- the same flash sale (SCENARIOS.md D1's workload:
# 100 items, 1000 buyers arriving 1 ms apart, 3 ms between a read and its
# write, 1 ms links) run once per client strategy, printed side by side as
# the Markdown table of docs/flash-sale.md.  Every row is a real run: the
# scenario is D1's file with the strategy keys changed.
#   sh docs/tools/flash-sale-table.sh [path/to/ccsim]
set -eu
CCSIM=${1:-./ccsim}
BASE=scenarios/db/D1-flash-sale-naive-rmw.yaml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-fs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

num() {   # num KEY FILE: the first integer value of "KEY": N
  sed -n "s/.*\"$1\": \([0-9-]*\).*/\1/p" "$2" | head -n 1
}
field() { # field KEY FILE: a string value "KEY": "V"
  sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$2" | head -n 1
}
verdict() { # verdict CHECK FILE
  sed -n "s/.*{\"name\": \"$1\", \"verdict\": \"\([a-z]*\)\".*/\1/p" "$2" | head -n 1
}

row() {   # row LABEL ISOLATION WORKLOAD-KEYS...
  label=$1; iso=$2; shift 2
  f="$tmp/run.yaml"
  sed -e '/^expect:/,$d' "$BASE" | sed -e "s/^  isolation: .*/  isolation: $iso/" -e "/^  strategy: /d" \
      -e "/^  think: /d" -e 's/^duration: .*/duration: 5s/' > "$f"
  for kv in "$@"; do printf '  %s\n' "$kv" >> "$f.keys"; done
  awk -v keys="$f.keys" '{print} /^  kind: flash-sale/ {while ((getline l < keys) > 0) print l}' "$f" > "$f.2"
  rm -f "$f.keys"
  "$CCSIM" run "$f.2" --json --no-plot --out "$tmp/report" > "$tmp/s.json" || true
  s="$tmp/s.json"
  ok=$(sed -n '/"buy": {/s/.*"ok": \([0-9]*\).*/\1/p' "$s")
  rejected=$(sed -n '/"buy": {/s/.*"fail": \([0-9]*\).*/\1/p' "$s")
  left=$(sed -n 's/.*stock:1 ended at \(-*[0-9]*\).*/\1/p' "$s" | head -n 1)
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$iso" "$ok" \
    "$rejected" "$left" "$(verdict oversell "$s")" "$(num commits "$s")" "$(num aborts "$s")" "$(num retries "$s")" \
    "$(num serialization_failures "$s")" "$(num lock_waits "$s")" "$(field lock_wait_total "$s")" \
    "$(field lock_wait_max "$s")"
}

echo "| strategy | isolation | orders confirmed | buyers rejected | stock left | oversell | commits | aborts | retries | serialization failures | lock waits | total lock wait | longest lock wait |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
row "naive read-then-write (autocommit)" read-committed "strategy: naive" "think: 3ms"
row "check-then-decrement (autocommit)" read-committed "strategy: check-then-decrement" "think: 3ms"
row "naive, one transaction" read-committed "strategy: naive" "transaction: true" "think: 3ms"
row "naive, one transaction" repeatable-read "strategy: naive" "transaction: true" "think: 3ms" "retries: 3"
row "naive, one transaction" serializable "strategy: naive" "transaction: true" "think: 3ms" "retries: 3"
row "atomic conditional UPDATE" read-committed "strategy: atomic"
row "optimistic version CAS, no retry limit" read-committed "strategy: optimistic" "think: 3ms" "retries: -1"
row "optimistic version CAS, 3 retries" read-committed "strategy: optimistic" "think: 3ms" "retries: 3"
row "optimistic, 3 retries, backoff 10 ms + jitter" read-committed "strategy: optimistic" "think: 3ms" "retries: 3" "backoff: 10ms"
row "pessimistic SELECT ... FOR UPDATE" read-committed "strategy: pessimistic" "think: 3ms"
