#!/bin/sh
# lincheck.sh -- `ccsim lincheck` benchmark figures (DESIGN.md section 10).
#
# Prints, per figure, `bench NAME: VALUE UNIT`, then Porcupine's figure
# on the same histories and the command that re-runs it.  Times are
# wall-clock seconds of the whole command (reading and parsing included),
# the best of $RUNS runs (default 3; Porcupine: $PORCUPINE_RUNS, default 1).
# Synthetic histories are generated from a seed by $BUILD/tools/genhist
# into a temporary folder, not stored.
#
# Porcupine is measured, not quoted, when `go` is installed and
# $PORCUPINE_SRC names a checkout of github.com/anishathalye/porcupine:
# tests/bench/porcupine/main.go (our driver: it reads the same EDN files)
# is built against that checkout offline (a go.mod with a `replace`, in a
# temporary folder; GOPROXY=off).  Porcupine's code is never copied here.
#
#   BUILD=build-bench sh scripts/bench/lincheck.sh
#   (binaries: $BUILD/ccsim, $BUILD/tools/genhist; corpus: $CCSIM_CORPUS or tests/corpus)
#   PORCUPINE_SRC=/path/to/porcupine BUILD=build-bench sh scripts/bench/lincheck.sh
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

# Porcupine's driver, built into $TMP/pb/porcupine-bench when it can be;
# PB is empty and PB_WHY says why when it cannot.
PB="" PB_RSS="" PB_WHY="set PORCUPINE_SRC to a checkout of github.com/anishathalye/porcupine and install golang-go"
PORCUPINE_RUNS=${PORCUPINE_RUNS:-1}
if command -v go >/dev/null 2>&1 && [ -n "${PORCUPINE_SRC:-}" ] && [ -f "${PORCUPINE_SRC}/go.mod" ]; then
    src=$(cd "$PORCUPINE_SRC" && pwd)
    mkdir -p "$TMP/pb"
    cp tests/bench/porcupine/main.go "$TMP/pb/"
    printf 'module ccsim/porcupinebench\n\ngo 1.16\n\nrequire github.com/anishathalye/porcupine v1.3.0\n\nreplace github.com/anishathalye/porcupine => %s\n' \
        "$src" >"$TMP/pb/go.mod"
    if (cd "$TMP/pb" && GOPROXY=off GOFLAGS=-mod=mod go build -o porcupine-bench .) >"$TMP/pb/build.log" 2>&1; then
        PB=$TMP/pb/porcupine-bench
        PB_VERSION=$(git -C "$src" describe --tags 2>/dev/null || echo "checkout $src")
    else
        PB_WHY="go build of tests/bench/porcupine against $src failed offline: $(head -1 "$TMP/pb/build.log")"
    fi
elif [ -n "${PORCUPINE_SRC:-}" ]; then
    PB_WHY="PORCUPINE_SRC=$PORCUPINE_SRC has no go.mod, or go is not installed (apt-get install golang-go)"
fi

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

# porcupine ARGS...: Porcupine's line for the figure just timed, on the
# same files (ARGS: --model ... FILE...), or the reason it is not measured.
porcupine() {
    if [ -z "$PB" ]; then
        echo "  porcupine: not measured ($PB_WHY)"
        return
    fi
    runs=$RUNS
    RUNS=$PORCUPINE_RUNS
    psecs=$(best_of "$PB" --timeout 300 "$@")
    RUNS=$runs
    echo "  porcupine ($PB_VERSION): $psecs s; $(grep '^stats:' "$TMP/out" | sed 's/^stats: //'); verdicts: $(verdicts "$TMP/out")"
    PB_RSS=$(awk '/^stats:/ { for (i = 1; i <= NF; i++) if ($i == "RSS") print $(i + 1) }' "$TMP/out")
}

# porcupine_rss FIGURE: Porcupine's peak memory on that figure's files.
porcupine_rss() {
    if [ -z "$PB" ]; then echo "  porcupine: not measured ($PB_WHY)"; return; fi
    echo "  porcupine ($PB_VERSION): ${2:-?} MiB (its run for $1 above)"
}

# figure NAME EXPECT RERUN PORCUPINE_ARGS CMD...: times CMD and prints the
# figure lines, Porcupine's run on PORCUPINE_ARGS beside it.
figure() {
    name=$1 expect=$2 rerun=$3 pargs=$4
    shift 4
    secs=$(best_of "$@")
    got=$(verdicts "$TMP/out")
    echo "bench $name: $secs s"
    echo "  verdicts: $got"
    if [ "$got" != "$expect" ]; then
        echo "  WARNING: expected $expect"
    fi
    # shellcheck disable=SC2086 # pargs is a list of words (no spaces in the paths)
    porcupine $pargs
    echo "  rerun: $rerun"
}

G10="$GENHIST --clients 10 --ops 10000 --seed 1"
G20="$GENHIST --clients 20 --ops 1000 --seed 1"
G50="$GENHIST --clients 50 --ops 100000 --keys 10 --model kv --seed 1"
$G10 -o "$TMP/single-10x10000.edn"
$G20 -o "$TMP/single-20x1000.edn"
$G50 -o "$TMP/kv-50x100000-10keys.edn"

figure lincheck_etcd_102 "23 ok, 79 illegal, 0 unknown" \
    "$CCSIM lincheck --model cas-register -q $CORPUS/etcd/etcd_*.edn" \
    "--model cas-register $CORPUS/etcd/etcd_*.edn" \
    "$CCSIM" lincheck --model cas-register -q "$CORPUS"/etcd/etcd_*.edn
PB_RSS_ETCD=${PB_RSS:-}
figure lincheck_etcd_002 "1 ok, 0 illegal, 0 unknown" \
    "$CCSIM lincheck --model cas-register $CORPUS/etcd/etcd_002.edn" \
    "--model cas-register $CORPUS/etcd/etcd_002.edn" \
    "$CCSIM" lincheck --model cas-register "$CORPUS/etcd/etcd_002.edn"
figure lincheck_kv_c50_ok "1 ok, 0 illegal, 0 unknown" \
    "$CCSIM lincheck --model kv --init '\"\"' $CORPUS/kv/c50-ok.txt" \
    "--model kv --init \"\" $CORPUS/kv/c50-ok.txt" \
    "$CCSIM" lincheck --model kv --init '""' "$CORPUS/kv/c50-ok.txt"
figure lincheck_single_10x10000 "1 ok, 0 illegal, 0 unknown" \
    "$G10 -o /tmp/h.edn && $CCSIM lincheck --model register /tmp/h.edn" \
    "--model register $TMP/single-10x10000.edn" \
    "$CCSIM" lincheck --model register "$TMP/single-10x10000.edn"
figure lincheck_single_20x1000 "1 ok, 0 illegal, 0 unknown" \
    "$G20 -o /tmp/h.edn && $CCSIM lincheck --model register /tmp/h.edn" \
    "--model register $TMP/single-20x1000.edn" \
    "$CCSIM" lincheck --model register "$TMP/single-20x1000.edn"
figure lincheck_kv_50x100000_10keys "1 ok, 0 illegal, 0 unknown" \
    "$G50 -o /tmp/h.edn && $CCSIM lincheck --model kv /tmp/h.edn" \
    "--model kv $TMP/kv-50x100000-10keys.edn" \
    "$CCSIM" lincheck --model kv "$TMP/kv-50x100000-10keys.edn"
PB_RSS_KV=${PB_RSS:-}

# Peak memory: the largest history, as reported by lincheck itself (getrusage).
"$CCSIM" lincheck --model kv --stats "$TMP/kv-50x100000-10keys.edn" >"$TMP/out" 2>&1 || true
rss=$(awk '/^stats:/ { for (i = 1; i <= NF; i++) if ($i == "RSS") print $(i + 1) }' "$TMP/out")
echo "bench lincheck_peak_rss_kv_50x100000: ${rss:-?} MiB"
porcupine_rss lincheck_kv_50x100000_10keys "$PB_RSS_KV"
echo "  rerun: $G50 -o /tmp/h.edn && $CCSIM lincheck --model kv --stats /tmp/h.edn"
"$CCSIM" lincheck --model cas-register -q --stats "$CORPUS"/etcd/etcd_*.edn >"$TMP/out" 2>&1 || true
rss=$(awk '/^stats:/ { for (i = 1; i <= NF; i++) if ($i == "RSS") print $(i + 1) }' "$TMP/out")
echo "bench lincheck_peak_rss_etcd_102: ${rss:-?} MiB"
porcupine_rss lincheck_etcd_102 "$PB_RSS_ETCD"
echo "  rerun: $CCSIM lincheck --model cas-register -q --stats '$CORPUS'/etcd/etcd_*.edn"
