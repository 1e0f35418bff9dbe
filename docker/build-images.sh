#!/usr/bin/env bash
# Builds the images the docker provider uses, without any registry: the debootstrap base
# (build-base.sh) and the node image from node.Dockerfile. The build runs with the host's
# network because an engine started with --iptables=false gives containers no egress.
set -euo pipefail
cd "$(dirname "$0")"
./build-base.sh
docker build -q --network host -f node.Dockerfile -t faultline/node:latest . >/dev/null
# The legacy builder leaves failed intermediate containers behind; remove them.
docker ps -aq --filter status=exited --filter ancestor=faultline/debian:bookworm | xargs -r docker rm >/dev/null
echo "built faultline/node:latest"
