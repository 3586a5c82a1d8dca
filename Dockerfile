# Studi Tiru: one static binary (templates, catalogues, fonts, CSS/JS and
# region data are embedded with //go:embed) in a distroless image.
#
#   docker build -t studitiru .
#   docker run -d -p 127.0.0.1:3000:3000 -v studitiru-data:/data \
#     -e BASE_URL=https://studitiru.badungkab.go.id studitiru
#
# See docs/DEPLOY.md (several instances, a replica set, the proxy).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first: this layer is rebuilt only when go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: the embedded engine's SQLite is pure Go (modernc.org/sqlite),
# so the binary needs no libc and runs on distroless/static.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/studitiru ./app \
 && mkdir -p /out/data

# distroless/static: CA certificates (SMTP over TLS, MongoDB Atlas), tzdata
# (the binary also embeds time/tzdata), a nonroot user (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/studitiru /usr/local/bin/studitiru
# A named volume starts as a copy of this directory: owned by nonroot. A
# bind-mounted host directory must be made writable for uid 65532.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATA_DIR=/data \
    LISTEN_ADDR=0.0.0.0:3000
USER 65532:65532
EXPOSE 3000
VOLUME /data
# No HEALTHCHECK: the image has no shell or curl. Probe GET /healthz
# (alive) and GET /readyz (store reachable) from the orchestrator or
# the load balancer.
ENTRYPOINT ["/usr/local/bin/studitiru"]
