# gearsd in a container:
#   docker build -t gearsd . && docker run -p 6379:6379 -v gearsd-data:/data gearsd
# The base images are arguments, so a build can point them at local images
# (e.g. podman build --build-arg BUILD_IMAGE=localhost/golang ...).
ARG BUILD_IMAGE=golang:1.26-bookworm
ARG RUN_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
# Where modules come from: the public proxy, or e.g. file:///gomodcache with
# a host's module cache mounted there (podman build -v ...:/gomodcache:ro).
ARG GOPROXY=https://proxy.golang.org,direct
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev pkg-config python3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN GOPROXY=${GOPROXY} go mod download
COPY . .
RUN go build -ldflags "-X github.com/gearsd/gearsd/python.home=$(pkg-config --variable=prefix python3-embed)" -o /out/gearsd .

FROM ${RUN_IMAGE}
# The same CPython the binary was linked against, with its standard library.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpython3.11 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/gearsd /usr/local/bin/gearsd
COPY config.yaml /etc/gearsd/config.yaml
VOLUME /data
EXPOSE 6379
# Listening on every interface inside the container, in protected mode: a
# client through a published port is refused (DENIED) until a password is
# set (-e GEARSD_REQUIREPASS=...) or, on a trusted network, protected mode
# is turned off (-e GEARSD_PROTECTED_MODE=no). See docs/usage.md.
ENTRYPOINT ["gearsd", "--config", "/etc/gearsd/config.yaml", "--bind", "0.0.0.0", "--dir", "/data"]
