#!/usr/bin/env bash
# CI: installs Debian's Docker engine and debootstrap, starts dockerd in the firewall-safe mode
# (start-dockerd.sh) and builds the images without a registry (build-images.sh).
# Pair it with `trap docker/ci-down.sh EXIT`.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in docker.io debootstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
start=$(date +%s%N)
./start-dockerd.sh
./build-images.sh
echo "engine up and images built in $(( ($(date +%s%N) - start) / 1000000 )) ms"
