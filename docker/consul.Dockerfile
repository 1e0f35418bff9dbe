# A node image with Consul, for machines where a registry is reachable: takes the consul binary
# (a static Go program) from HashiCorp's official image and adds it to the Faultline node image,
# which keeps iproute2 / iptables / libfaketime for the faults. Build after build-images.sh:
#   docker build -f docker/consul.Dockerfile -t faultline/node-consul:latest docker/
# and run with --opt docker.image=faultline/node-consul:latest --opt consul.binary=/usr/local/bin/consul.
ARG CONSUL_VERSION=1.20
FROM hashicorp/consul:${CONSUL_VERSION} AS consul
FROM faultline/node:latest
COPY --from=consul /bin/consul /usr/local/bin/consul
