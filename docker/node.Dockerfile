# The Faultline node image: a Debian bookworm base (built without a registry by build-base.sh)
# plus what nodes need for faults and DBs: iproute2 and iptables/nft for partitions and packet
# faults, gcc and libnetfilter-queue headers to build the NFQUEUE delay helper on first use (this
# kernel family has no netem), fuse3 and its headers to build the fault filesystem for disk faults,
# libfaketime for clock skew, procps, etcd, and libstdc++ for the Node.js binary the provider
# mounts in to run the reference stores. Build with build-images.sh.
FROM faultline/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      iproute2 iptables nftables libfaketime procps etcd-server etcd-client libstdc++6 ca-certificates \
      gcc libc6-dev libnetfilter-queue-dev fuse3 libfuse3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb
LABEL faultline.image=node
CMD ["sleep", "infinity"]
