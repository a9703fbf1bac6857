# Stand-in for golang:1.22-bookworm where Docker Hub is out of reach (the rehearsal builds it on
# the debootstrapped debian:bookworm-slim stand-in). It carries Debian bookworm's Go, 1.19: the api
# module says `go 1.19` and uses the standard library only, so it builds the same static binaries.
# On a machine that can pull the real image, the rehearsal never builds this.
FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-go ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The standard library compiled once for static, trimmed builds (the flags the three Dockerfiles
# use): each image's build stage then compiles only its own packages, ~20 s less per image here.
RUN CGO_ENABLED=0 go build -trimpath std
CMD ["bash"]
