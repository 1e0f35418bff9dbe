#!/usr/bin/env bash
# Starts a Docker engine by hand in the mode Faultline recommends, which leaves the host
# firewall alone: --iptables=false --ip-forward=false --bridge=none (no NAT rules, no FORWARD
# policy change, no docker0). Containers on a user-defined bridge still reach each other and
# the host; they have no egress, which no test needs. Records the daemon's PID and log in
# $FAULTLINE_DOCKERD_DIR (default /run/faultline-dockerd) and waits until it answers.
# Does nothing when an engine already answers on /var/run/docker.sock.
set -euo pipefail
DIR=${FAULTLINE_DOCKERD_DIR:-/run/faultline-dockerd}
if docker info >/dev/null 2>&1; then echo "a Docker engine is already running"; exit 0; fi
mkdir -p "$DIR"
setsid dockerd --iptables=false --ip-forward=false --bridge=none >"$DIR/dockerd.log" 2>&1 </dev/null &
echo $! >"$DIR/dockerd.pid"
for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
docker info >/dev/null 2>&1 || { echo "dockerd did not come up; see $DIR/dockerd.log" >&2; tail -5 "$DIR/dockerd.log" >&2; exit 1; }
echo "dockerd running, pid $(cat "$DIR/dockerd.pid")"
