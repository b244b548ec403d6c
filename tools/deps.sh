#!/bin/bash
# Install what znflow needs to build and test, on Debian: apt-get when
# root, otherwise print the exact command and stop.
set -u
need=(gcc make pkg-config zlib1g-dev libdeflate-dev libcsv-dev libgsl-dev bats bats-assert bats-support groff-base libxml2-utils chromium parallel python3)
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "znflow: missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && \
      apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
        echo "znflow: apt-get install failed" >&2; exit 1; }
else
    echo "znflow: install them with:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
