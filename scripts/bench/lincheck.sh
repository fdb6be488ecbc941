#!/bin/sh
# lincheck.sh -- `ccsim lincheck` benchmark figures (DESIGN.md section 10).
#
# Prints, per figure, `bench NAME: VALUE UNIT`, then Porcupine v1.3.0's
# figure on this machine class and the command that re-runs it.  Times are
# wall-clock seconds of the whole command (reading and parsing included),
# the best of $RUNS runs (default 3).  Synthetic histories are generated
# from a seed by $BUILD/tools/genhist into a temporary folder, not stored.
#
#   BUILD=build-bench sh scripts/bench/lincheck.sh
#   (binaries: $BUILD/ccsim, $BUILD/tools/genhist; corpus: $CCSIM_CORPUS or tests/corpus)
set -eu

BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
CCSIM=$BUILD/ccsim
GENHIST=$BUILD/tools/genhist
CORPUS=${CCSIM_CORPUS:-tests/corpus}

for f in "$CCSIM" "$GENHIST"; do
    if [ ! -x "$f" ]; then
        echo "lincheck bench: error: $f not built (expected: make BUILD=$BUILD all $GENHIST)" >&2
        exit 2
    fi
done
if [ ! -f "$CORPUS/verdicts.tsv" ]; then
    echo "lincheck bench: error: corpus not found at $CORPUS (set CCSIM_CORPUS)" >&2
    exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-lincheck-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

now_ns() { date +%s%N; }

# best_of CMD...: runs the command $RUNS times (output to $TMP/out), prints the best wall time in seconds.
best_of() {
    best=""
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        t0=$(now_ns)
        "$@" >"$TMP/out" 2>&1 || true
        t1=$(now_ns)
        dt=$((t1 - t0))
        if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then best=$dt; fi
        i=$((i + 1))
    done
    awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

# verdicts FILE: counts of ok / illegal / unknown lines in lincheck output.
verdicts() {
    awk '/: ok \(/ {o++} /: illegal \(/ {i++} /: unknown \(/ {u++} END {printf "%d ok, %d illegal, %d unknown", o, i, u}' "$1"
}

# figure NAME PORCUPINE EXPECT RERUN CMD...: times CMD and prints the figure lines.
figure() {
    name=$1 porc=$2 expect=$3 rerun=$4
    shift 4
    secs=$(best_of "$@")
    got=$(verdicts "$TMP/out")
    echo "bench $name: $secs s"
    echo "  porcupine v1.3.0: $porc; verdicts: $got"
    if [ "$got" != "$expect" ]; then
        echo "  WARNING: expected $expect"
    fi
    echo "  rerun: $rerun"
}

G10="$GENHIST --clients 10 --ops 10000 --seed 1"
G20="$GENHIST --clients 20 --ops 1000 --seed 1"
G50="$GENHIST --clients 50 --ops 100000 --keys 10 --model kv --seed 1"
$G10 -o "$TMP/single-10x10000.edn"
$G20 -o "$TMP/single-20x1000.edn"
$G50 -o "$TMP/kv-50x100000-10keys.edn"

figure lincheck_etcd_102 "0.27-0.37 s search, 0.55-1.0 s with parsing" "23 ok, 79 illegal, 0 unknown" \
    "$CCSIM lincheck --model cas-register -q $CORPUS/etcd/etcd_*.edn" \
    "$CCSIM" lincheck --model cas-register -q "$CORPUS"/etcd/etcd_*.edn
figure lincheck_etcd_002 "0.26 s" "1 ok, 0 illegal, 0 unknown" \
    "$CCSIM lincheck --model cas-register $CORPUS/etcd/etcd_002.edn" \
    "$CCSIM" lincheck --model cas-register "$CORPUS/etcd/etcd_002.edn"
figure lincheck_kv_c50_ok "0.26 s (2 cores)" "1 ok, 0 illegal, 0 unknown" \
    "$CCSIM lincheck --model kv --init '\"\"' $CORPUS/kv/c50-ok.txt" \
    "$CCSIM" lincheck --model kv --init '""' "$CORPUS/kv/c50-ok.txt"
figure lincheck_single_10x10000 "0.38 s" "1 ok, 0 illegal, 0 unknown" \
    "$G10 -o /tmp/h.edn && $CCSIM lincheck --model register /tmp/h.edn" \
    "$CCSIM" lincheck --model register "$TMP/single-10x10000.edn"
figure lincheck_single_20x1000 "5-11 s" "1 ok, 0 illegal, 0 unknown" \
    "$G20 -o /tmp/h.edn && $CCSIM lincheck --model register /tmp/h.edn" \
    "$CCSIM" lincheck --model register "$TMP/single-20x1000.edn"
figure lincheck_kv_50x100000_10keys "0.8 s" "1 ok, 0 illegal, 0 unknown" \
    "$G50 -o /tmp/h.edn && $CCSIM lincheck --model kv /tmp/h.edn" \
    "$CCSIM" lincheck --model kv "$TMP/kv-50x100000-10keys.edn"

# Peak memory: the largest history, as reported by lincheck itself (getrusage).
"$CCSIM" lincheck --model kv --stats "$TMP/kv-50x100000-10keys.edn" >"$TMP/out" 2>&1 || true
rss=$(awk '/^stats:/ { for (i = 1; i <= NF; i++) if ($i == "RSS") print $(i + 1) }' "$TMP/out")
echo "bench lincheck_peak_rss_kv_50x100000: ${rss:-?} MiB"
echo "  porcupine v1.3.0: not measured here"
echo "  rerun: $G50 -o /tmp/h.edn && $CCSIM lincheck --model kv --stats /tmp/h.edn"
"$CCSIM" lincheck --model cas-register -q --stats "$CORPUS"/etcd/etcd_*.edn >"$TMP/out" 2>&1 || true
rss=$(awk '/^stats:/ { for (i = 1; i <= NF; i++) if ($i == "RSS") print $(i + 1) }' "$TMP/out")
echo "bench lincheck_peak_rss_etcd_102: ${rss:-?} MiB"
echo "  porcupine v1.3.0: not measured here"
echo "  rerun: $CCSIM lincheck --model cas-register -q --stats '$CORPUS'/etcd/etcd_*.edn"
