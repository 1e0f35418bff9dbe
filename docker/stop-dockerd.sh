#!/usr/bin/env bash
# Stops the Docker engine started by start-dockerd.sh (by its recorded PID, never by name),
# waits for it to exit and unmounts the netns mount it leaves behind.
set -euo pipefail
DIR=${FAULTLINE_DOCKERD_DIR:-/run/faultline-dockerd}
[ -f "$DIR/dockerd.pid" ] || { echo "no dockerd started by start-dockerd.sh"; exit 0; }
PID=$(cat "$DIR/dockerd.pid")
if kill -0 "$PID" 2>/dev/null; then
  kill -TERM "$PID"
  for _ in $(seq 1 300); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
fi
rm -f "$DIR/dockerd.pid"
if mountpoint -q /run/docker/netns/default 2>/dev/null; then umount /run/docker/netns/default; fi
echo "dockerd $PID stopped"
