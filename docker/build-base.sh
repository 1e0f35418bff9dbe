#!/usr/bin/env bash
# Builds the base image faultline/debian:bookworm with no container registry: debootstrap a
# minimal Debian bookworm from the machine's own apt mirror and `docker import` it.
# Skips the work when the image already exists (pass --force to rebuild).
set -euo pipefail
IMAGE=faultline/debian:bookworm
if [ "${1:-}" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE already present"; exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install debootstrap" >&2; exit 1; }
MIRROR=${DEBIAN_MIRROR:-}
if [ -z "$MIRROR" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$MIRROR" ] && [ -f /etc/apt/sources.list ]; then
  MIRROR=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
fi
[ -n "$MIRROR" ] || { echo "no Debian mirror found: set DEBIAN_MIRROR=<url>" >&2; exit 1; }
ROOTFS=$(mktemp -d)
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 || { tail -5 "$ROOTFS.log" >&2; rm -f "$ROOTFS.log"; exit 1; }
rm -f "$ROOTFS.log"
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
tar -C "$ROOTFS" -c . | docker import -c 'LABEL faultline.image=base' - "$IMAGE" >/dev/null
echo "built $IMAGE"
