# syntax=docker/dockerfile:1
#
# meshguard's container image:   docker build -t meshguard/meshguard:0.1.0 .
#
# Three stages:
#   opa      the pinned OPA compiler, built from source by scripts/install-opa.sh (go install)
#   build    npm ci, TypeScript, the policy bundle (opa fmt/check/test/build -t wasm: the .wasm is
#            made here, never committed), the esbuild start-up bundle, then production dependencies only
#   runtime  node, the compiled code, the bundle and the shipped config; non-root, no build tools
#
# The chart (charts/meshguard) runs it with a read-only root filesystem as uid 65532.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS opa
WORKDIR /src
# A static binary, so it runs on any base image of the next stage.
ENV CGO_ENABLED=0
COPY scripts/install-opa.sh scripts/install-opa.sh
COPY scripts/lib scripts/lib
RUN bash scripts/install-opa.sh

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
COPY policies ./policies
COPY config ./config
COPY crds ./crds
# The opa binary and its version stamp: install-opa.sh finds them and does not need Go again.
COPY --from=opa /src/.tools ./.tools
RUN npm run build \
 && test -s dist/policies/bundle.tar.gz \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="meshguard" \
      org.opencontainers.image.description="Admission webhook for Istio: sidecar sizing, mTLS and telemetry defaults, Rego rules compiled to WebAssembly" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the process: nothing in the image is writable by meshguard.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/config ./config
COPY --from=build /src/crds ./crds
COPY --from=build /src/policies ./policies
USER 65532:65532
# HTTPS admission (config.port) and plain-HTTP probes and metrics (config.probePort).
EXPOSE 8443 8080
# The start-up bundle (scripts/bundle.mjs): one module to load instead of hundreds.
ENTRYPOINT ["node", "dist/bundle/meshguard.js"]
CMD ["serve"]
