#!/bin/bash
# Install the Debian packages znflow needs for one purpose:
#
#   tools/deps.sh build|demo|check|list SET
#
#   build   the compiler and libraries (gcc, make, pkg-config, zlib, libdeflate, libcsv, GSL)
#   demo    what `make demo` needs: the build set (the demo itself is bash and awk)
#   check   what `make check` needs besides: bats, groff, xmllint, chromium, GNU parallel,
#           python3 with pandas and scipy (the recipes and the references that
#           tests compute live), R with data.table (the R recipes are tested)
#   list SET  print the packages of SET, one per line
#
# As root the missing ones are installed with apt-get, its output kept in
# build/deps.log (shown only when it fails); otherwise the exact command is
# printed and the script stops.  One line per step on standard error.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=(gcc make pkg-config zlib1g-dev libdeflate-dev libcsv-dev libgsl-dev)
check=(bats bats-assert bats-support groff-base libxml2-utils chromium parallel python3 python3-pandas python3-scipy r-base-core r-cran-data.table)
usage() { echo "Usage: ${0##*/} build|demo|check|list SET" >&2; exit 2; }
set_of() {
    case $1 in
    build|demo) need=("${build[@]}") ;;
    check) need=("${build[@]}" "${check[@]}") ;;
    *) usage ;;
    esac
}
case ${1:-} in
-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
list) [ $# -eq 2 ] || usage; set_of "$2"; printf '%s\n' "${need[@]}"; exit 0 ;;
build|demo|check) [ $# -eq 1 ] || usage; set_of "$1" ;;
*) usage ;;
esac

missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "znflow: missing Debian packages; install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
mkdir -p "$top/build"
log=$top/build/deps.log
echo "znflow: installing ${missing[*]} (apt-get; log in ${log#"$PWD"/})" >&2
export DEBIAN_FRONTEND=noninteractive
{
    echo "== $(date -u +%FT%TZ) tools/deps.sh $1: ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=900 update &&
        apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
} > "$log" 2>&1 || {
    echo "znflow: apt-get failed; the end of $log:" >&2
    tail -n 15 "$log" | sed 's/^/  /' >&2
    exit 1
}
echo "znflow: installed ${#missing[@]} packages" >&2
