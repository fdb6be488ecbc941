#!/bin/sh
# The figures issue 13 ("assertions that help") tracks, from the source tree
# and the build folder:
#
#   asserts/function  SIM_ASSERT, SIM_UNREACHABLE and LIN_ASSERT uses in
#                     sim/ and protocols/ (.c and .h), divided by the
#                     function definitions there.  STYLE.md 11 asks for 2 or
#                     more.  LIN_ASSERT is sim/lincheck's own always-on
#                     assertion (lincheck includes nothing from sim/ outside
#                     its folder), so it counts like SIM_ASSERT.
#   compound asserts  SIM_ASSERT(...) and LIN_ASSERT(...) in sim/,
#                     protocols/ and tests/ whose top-level operator is &&
#                     (STYLE.md 11: "two, not one with &&").
#   hist.h users      translation units whose dependency file (BUILD/**/*.d,
#                     written by -MMD) names sim/hist.h: what a change to
#                     that header recompiles.  Needs a build (make all).
#   clean build       wall time of `make all` into an empty folder, with
#                     --build-time (about a minute; -jN after it, default 1).
#
# How it counts.  Comments, string and character literals are blanked
# first, so an assertion in a comment or message is not counted, nor are
# the #define lines of sim/base.h and sim/lincheck/lin_internal.h.  Function definitions are counted
# by universal-ctags (kind f: definitions, not prototypes) when it is
# installed (Debian: apt-get install universal-ctags), else by a scan: a `{`
# at brace depth 0 whose declarator ends in `)` and has no `=` before it.
# Both are printed when both are available; they agree on this tree.
# An assertion is compound when its argument has && outside any
# parentheses, and no top-level ||, ?:, comma or assignment (those bind
# looser, so && is then not the top-level operator).
#
#   sh scripts/metrics.sh [--build-time [-jN]]
# Runs from the top of a checkout; BUILD names the build folder (build).
set -u
BUILD=${BUILD:-build}
build_time=no
jobs=-j1
while [ $# -gt 0 ]; do
  case "$1" in
    --build-time) build_time=yes ;;
    -j*) jobs=$1 ;;
    *) echo "usage: sh scripts/metrics.sh [--build-time [-jN]]" >&2; exit 2 ;;
  esac
  shift
done
[ -f sim/base.h ] || { echo "scripts/metrics.sh: run it from the top of a ccsim checkout" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "scripts/metrics.sh: needs python3" >&2; exit 2; }

src=$(find sim protocols -name '*.[ch]' | LC_ALL=C sort)
all=$(find sim protocols tests -name '*.[ch]' | LC_ALL=C sort)

ctags_functions=
if command -v ctags >/dev/null 2>&1 && ctags --version 2>/dev/null | grep -q 'Universal Ctags'; then
  # -x: one line per tag; kinds f = function definitions only.
  # shellcheck disable=SC2086
  ctags_functions=$(ctags -x --language-force=C --kinds-C=f $src | wc -l | tr -d ' ')
fi

# shellcheck disable=SC2086
python3 - "$ctags_functions" $all <<'EOF'
import re, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)      # quiet under `| head`

def blank(src):
    """src with comments, string and char literals (and preprocessor lines)
    replaced by spaces, newlines kept, so structure can be scanned."""
    out = list(src); i = 0; n = len(src); line_start = True
    while i < n:
        c = src[i]
        if line_start and c == '#':                 # a directive, with its continuations
            j = i
            while j < n and src[j] != '\n':
                if src.startswith('/*', j):          # a comment inside a directive
                    k = src.find('*/', j + 2); j = n if k < 0 else k + 2; continue
                j += 2 if src.startswith('\\\n', j) else 1
            for k in range(i, j):
                if src[k] != '\n': out[k] = ' '
            i = j; continue
        if src.startswith('//', i):
            j = src.find('\n', i); j = n if j < 0 else j
            for k in range(i, j): out[k] = ' '
            i = j; continue
        if src.startswith('/*', i):
            j = src.find('*/', i + 2); j = n if j < 0 else j + 2
            for k in range(i, j):
                if src[k] != '\n': out[k] = ' '
            i = j; continue
        if c in '"\'':
            j = i + 1
            while j < n and src[j] != c and src[j] != '\n':
                j += 2 if src[j] == '\\' else 1
            for k in range(i + 1, min(j, n)): out[k] = ' '
            i = j + 1; line_start = False; continue
        if c == '\n': line_start = True
        elif not c.isspace(): line_start = False
        i += 1
    return ''.join(out)

OPEN, CLOSE = '([{', ')]}'

def close_of(m, i):
    depth = 0
    for j in range(i, len(m)):
        if m[j] in OPEN: depth += 1
        elif m[j] in CLOSE:
            depth -= 1
            if depth == 0: return j
    return len(m) - 1

def compound(m, a, b):
    """True when m[a:b] is a && b && ... at its top level."""
    depth = 0; ands = 0; looser = False; i = a
    while i < b:
        c = m[i]
        if c in OPEN: depth += 1
        elif c in CLOSE: depth -= 1
        elif depth == 0:
            if m.startswith('&&', i): ands += 1; i += 2; continue
            if m.startswith('||', i): looser = True; i += 2; continue
            if c in '?,': looser = True
            elif c == '=' and m[i-1] not in '=!<>' and m[i+1] != '=': looser = True
        i += 1
    return ands > 0 and not looser

def functions(m):
    """Function definitions: a `{` at depth 0 after `)`, no `=` since the
    previous declaration ended."""
    count = 0; depth = 0; start = 0
    for i, c in enumerate(m):
        if c == '{':
            if depth == 0:
                head = m[start:i].rstrip()
                if head.endswith(')') and '=' not in head.replace('==', ''):
                    count += 1
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0: start = i + 1
        elif c == ';' and depth == 0:
            start = i + 1
    return count

ctags = sys.argv[1]
uses = defs = 0; left = []
for path in sys.argv[2:]:
    m = blank(open(path, encoding='utf-8', errors='replace').read())
    mine = path.startswith(('sim/', 'protocols/'))
    for mo in re.finditer(r'\b(SIM_ASSERT|SIM_UNREACHABLE|LIN_ASSERT)\s*\(', m):
        if mine: uses += 1
        if mo.group(1) != 'SIM_UNREACHABLE':
            o = mo.end() - 1
            if compound(m, o + 1, close_of(m, o)):
                left.append('%s:%d' % (path, m.count('\n', 0, mo.start()) + 1))
    if mine: defs += functions(m)

fn = int(ctags) if ctags else defs
how = 'ctags' if ctags else 'scan'
print('asserts/function   %.2f  (%d SIM_ASSERT/SIM_UNREACHABLE/LIN_ASSERT in sim/ protocols/, %d functions by %s%s)'
      % (uses / fn if fn else 0.0, uses, fn, how, ', %d by scan' % defs if ctags else ''))
files = sorted({p.split(':')[0] for p in left})
where = ': ' + ' '.join(files) if 0 < len(files) <= 4 else ', in %d files' % len(files) if files else ''
print('compound asserts   %d  (SIM_ASSERT/LIN_ASSERT with top-level && in sim/ protocols/ tests/%s)'
      % (len(left), where))
EOF

if [ -d "$BUILD" ]; then
  # A .d file per compiled .c: the library's and the CLI's (make all), and
  # the tests' and tools' (make test) when they are built.
  lib_d=$(find "$BUILD/sim" "$BUILD/protocols" -name '*.d' 2>/dev/null | LC_ALL=C sort)
  test_d=$(find "$BUILD/tests" "$BUILD/tools" -name '*.d' 2>/dev/null | LC_ALL=C sort)
  uses_hist() { for d in "$@"; do grep -q '\(^\| \)sim/hist\.h\( \|$\)' "$d" && echo "$d"; done | wc -l | tr -d ' '; }
  n_lib=$(echo "$lib_d" | grep -c .)
  n_test=$(echo "$test_d" | grep -c .)
  # shellcheck disable=SC2086
  echo "hist.h users       $(uses_hist $lib_d) of $n_lib translation units of make all (sim/ protocols/, $BUILD/**/*.d)"
  if [ "$n_test" -gt 0 ]; then
    # shellcheck disable=SC2086
    echo "                   $(uses_hist $test_d) of $n_test of the tests and tools"
  fi
else
  echo "hist.h users       no $BUILD/ folder: run make all first"
fi

if [ "$build_time" = yes ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-metrics.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  t0=$(date +%s%N)
  if make -s --no-print-directory "$jobs" BUILD="$tmp/build" all >"$tmp/make.out" 2>&1; then
    t1=$(date +%s%N)
    echo "clean build        $(( (t1 - t0) / 1000000000 )).$(( (t1 - t0) / 100000000 % 10 )) s  (make $jobs all, into an empty folder)"
  else
    echo "clean build        failed:"; tail -20 "$tmp/make.out"; exit 1
  fi
fi
