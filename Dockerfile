# Wren's container image. Two stages: `build` compiles the TypeScript with the dev dependencies and
# prunes them; the runtime stage only copies files (no RUN), so it needs no shell or package
# manager: a distroless Node 20 image is the default. Build:
#   docker build -t wren:0.1.0 .
#   docker build --build-arg RUNTIME_IMAGE=node:20-bookworm-slim -t wren:0.1.0-slim .   # with a shell
# Run: the entrypoint is Wren itself (Node as PID 1: SIGTERM flushes within service.grace).
#   docker run wren:0.1.0                          # /fluent-bit/etc/fluent-bit.conf, else /etc/wren/wren.yaml
#   docker run wren:0.1.0 --config=/path/to/conf   # any other config; `check`, `credentials` too
# Layout, user and size: README, "Deploy".

# Base images are build arguments: any Node 20 image works for the build stage (it needs npm and a
# shell); the runtime stage needs only `node` on PATH (/nodejs/bin in distroless images,
# /usr/local/bin in the official ones) and glibc.
ARG BUILD_IMAGE=docker.io/library/node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# dependencies first, so a source change does not refetch them
COPY package.json package-lock.json ./
# msgpackr's optional native addon is overridden by this stub (pure JS only: see package.json)
COPY vendor/ vendor/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src/ src/
COPY plugins/ plugins/
COPY scripts/bundle.mjs scripts/
RUN node node_modules/typescript/bin/tsc -p tsconfig.json \
 && node scripts/bundle.mjs \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund
# The runtime tree, assembled here because the runtime stage has no shell. Source maps, type
# declarations and package docs are not needed to run and take a fifth of node_modules. sql.js and
# hash-wasm ship many builds (33 MB); the tail db loads one of each (sql-wasm, xxhash3).
COPY deploy/image/rootfs/ /out/
RUN set -eu; \
    app=/out/opt/wren; mkdir -p "$app"; \
    cp package.json "$app/"; cp -Rp dist node_modules "$app/"; \
    find "$app" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
      -o -iname 'README*' -o -iname 'CHANGELOG*' -o -iname 'HISTORY*' \) -delete; \
    find "$app/node_modules" -depth -type d \( -name test -o -name tests -o -name docs -o -name example -o -name examples \) \
      -exec rm -rf {} +; \
    find "$app/node_modules/sql.js/dist" -type f ! -name sql-wasm.js ! -name sql-wasm.wasm -delete; \
    find "$app/node_modules/hash-wasm" -mindepth 1 -maxdepth 1 ! -name dist ! -name package.json ! -name LICENSE -exec rm -rf {} +; \
    find "$app/node_modules/hash-wasm/dist" -mindepth 1 -maxdepth 1 ! -name xxhash3.umd.min.js -exec rm -rf {} +; \
    mkdir -p /out/fluent-bit/parsers /out/var/lib/wren /out/var/fluent-bit /out/tmp; \
    cp /out/fluent-bit/etc/parsers.conf /out/fluent-bit/parsers/parsers.conf; \
    ln -s /var/lib/wren /out/var/fluent-bit/state; \
    chmod -R a+rX,go-w /out/opt /out/etc /out/fluent-bit; \
    chown 65532:65532 /out/var/lib/wren; chmod 0750 /out/var/lib/wren; \
    chmod 1777 /out/tmp

FROM ${RUNTIME_IMAGE}
ARG RUNTIME_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="wren" \
      org.opencontainers.image.description="A container log agent that reads Fluent Bit configs and ships logs to Amazon OpenSearch, CloudWatch Logs and HTTP" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
COPY --from=build /out/ /
ENV PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin
# What bin/wren.cjs's shell line sets for an npm install (this image has no shell): a fixed malloc
# trim threshold, so large freed blocks go back to the kernel (peak RSS 8-11 MB lower at full speed).
ENV MALLOC_TRIM_THRESHOLD_=131072
# Non-root by default (the distroless "nonroot" user). A Kubernetes DaemonSet that reads the node's
# root-owned container logs runs it as uid 0 with every capability dropped: see deploy/kubernetes.
USER 65532:65532
WORKDIR /var/lib/wren
EXPOSE 2020
# No HEALTHCHECK: orchestrators probe GET /api/v1/health on service.http_port (2020).
ENTRYPOINT ["node", "/opt/wren/dist/src/bin.cjs"]
CMD ["run"]
