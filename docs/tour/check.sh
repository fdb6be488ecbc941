#!/bin/sh
# The tour's commands and quotes against the binary (docs/tour/README.md).
# For each chapter, in order: every line of a ```sh block is run from the
# repository's root as written, and its exit code must be the one its
# `# exit N` comment states (0 when it states none); every line of a plain
# ``` block (the quoted output; a line of "..." skips) must occur in what
# that chapter's commands printed or in a shrunk file under reports/.
# Prints one line per failure and `tour: N passed, N failed` last; exit 1
# on any failure.  Writes reports/ as the commands do.
#   sh docs/tour/check.sh [CHAPTER.md...]      (after make; default: all)
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -gt 0 ] || set -- docs/tour/[0-9]*.md
[ -x ./ccsim ] || { echo "docs/tour/check.sh: no ./ccsim here: run make first" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-tour.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# split CHAPTER: writes $tmp/cmds (one command per line, then a tab and
# its expected exit code) and $tmp/quotes (one quoted line per line).
split() {
  awk -v cmds="$tmp/cmds" -v quotes="$tmp/quotes" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    {
      t = trim($0)
      if (mode == "" && t ~ /^```sh$/) { mode = "sh"; next }
      if (mode == "" && t == "```") { mode = "out"; next }
      if (mode == "" && t ~ /^```/) { mode = "other"; next }
      if (mode != "" && t == "```") { mode = ""; next }
      if (mode == "sh" && t != "") {
        want = 0
        if (match(t, /#[ ]*exit [0-9]+$/)) {
          want = substr(t, RSTART, RLENGTH); sub(/.*exit /, "", want)
          t = trim(substr(t, 1, RSTART - 1))
        }
        print t "\t" want > cmds
      }
      if (mode == "out" && t != "" && t != "...") print t > quotes
    }' "$1"
}

for chapter in "$@"; do
  : >"$tmp/cmds"; : >"$tmp/quotes"; : >"$tmp/printed"
  split "$chapter"
  while IFS="$(printf '\t')" read -r cmd want; do
    sh -c "$cmd" >>"$tmp/printed" 2>&1 </dev/null
    rc=$?
    if [ "$rc" -eq "$want" ]; then passed=$((passed + 1))
    else failed=$((failed + 1)); echo "$chapter: exit $rc, the tour says $want: $cmd"; fi
  done <"$tmp/cmds"
  cat reports/*.min.yaml >>"$tmp/printed" 2>/dev/null
  while IFS= read -r line; do
    if grep -qF -- "$line" "$tmp/printed"; then passed=$((passed + 1))
    else failed=$((failed + 1)); echo "$chapter: quoted, not printed: $line"; fi
  done <"$tmp/quotes"
done
echo "tour: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
