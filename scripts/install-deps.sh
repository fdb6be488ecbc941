#!/bin/sh
# Installs the Debian packages ccsim needs (DESIGN.md section 1): as root through
# apt-get, otherwise through sudo, otherwise it names the packages and stops.
# gnuplot-nox draws the timelines, with the DejaVu fonts the scripts name;
# libxml2-utils (xmllint) checks the SVGs in `make test`; parallel (GNU
# parallel) runs the sharded sweep of `make test` (docs/sweeps.md).
#   sh scripts/install-deps.sh         everything: building, `make test`, `make demo`
#   sh scripts/install-deps.sh build   only what building ./ccsim needs (`make`)
#   sh scripts/install-deps.sh ci      everything, and clang for CI's second compiler
#                                      with its runtime (libFuzzer, sanitizers:
#                                      `make fuzz`; clang only recommends it), and
#                                      redis-server and redis-sentinel, which
#                                      `make conformance` starts (docs/conformance.md),
#                                      and postgresql (15), mariadb-server (10.11) and
#                                      their C client libraries libpq-dev and
#                                      libmariadb-dev, for `make conformance-sql`
#                                      (tests/conformance/sql/README.md)
set -u
case "${1:-all}" in
  build) PKGS="libyaml-dev pkg-config gcc" ;;
  all)   PKGS="libyaml-dev libcmocka-dev gnuplot-nox fonts-dejavu-core libxml2-utils parallel pkg-config gcc make" ;;
  ci)    PKGS="libyaml-dev libcmocka-dev gnuplot-nox fonts-dejavu-core libxml2-utils parallel pkg-config gcc make clang libclang-rt-dev redis-server redis-sentinel postgresql mariadb-server libpq-dev libmariadb-dev" ;;
  *)     echo "usage: sh scripts/install-deps.sh [build|ci]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "ccsim: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""
elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"
else
  echo "ccsim: cannot install packages (not root, no sudo). Please run:" >&2
  echo "  apt-get install$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || { echo "ccsim: apt-get update failed; install by hand:$missing" >&2; exit 1; }
$SUDO apt-get install -y -qq $missing >&2 || { echo "ccsim: apt-get install failed; install by hand:$missing" >&2; exit 1; }
