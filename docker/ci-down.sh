#!/usr/bin/env bash
# CI: removes every container and network the docker provider labelled (whatever the run),
# then stops the engine that start-dockerd.sh started (faultline setup docker). Keeps going past errors so it always finishes.
cd "$(dirname "$0")"
if docker info >/dev/null 2>&1; then
  docker ps -aq --filter label=faultline.prefix | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter label=faultline.prefix | xargs -r docker network rm >/dev/null
  docker volume ls -q --filter label=faultline.prefix | xargs -r docker volume rm >/dev/null
fi
./stop-dockerd.sh
