# The one Wharf image: `broker`, `sidecar` and `operator` (and the `wharf` CLI) on Node 24, which
# runs the TypeScript sources directly (type stripping), so there is no compile step.
#
#   docker build -t wharf:0.1.0 .
#   docker run --read-only -v wharf-data:/var/lib/wharf wharf:0.1.0 broker --host 0.0.0.0
#
# Runs as the unprivileged user `node` (uid 1000) and writes nothing outside its data volume, so it
# works with a read-only root filesystem. No engine here: scripts/image-build.ts runs these same
# steps in a plain directory (RUN steps therefore use paths relative to WORKDIR only), and
# test/image.slow.test.ts starts a broker from the result.
ARG NODE_IMAGE=node:24-slim

# Production dependencies only, at the lockfile's versions. (`npm install`, not `npm ci`: npm 11
# writes lockfiles without other platforms' optional binaries of dev tools, which `npm ci` refuses
# as out of sync even with --omit=dev; with a lockfile, install resolves nothing anew.)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-save --ignore-scripts --no-audit --no-fund --loglevel=error \
  && rm -rf "$HOME/.npm"

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY proto ./proto
COPY common ./common
COPY crds ./crds
COPY client ./client
COPY broker ./broker
COPY sidecar ./sidecar
COPY operator ./operator
COPY cli ./cli
COPY scripts/image-crds.ts ./scripts/image-crds.ts
COPY scripts/image-entrypoint.sh ./bin/wharf
# Every file read-only for the user that runs it; the broker's data goes to a volume.
RUN chmod -R a-w,a+rX . && chmod 0555 bin/wharf
ENV NODE_ENV=production \
    PATH=/app/bin:$PATH \
    WHARF_DATA=/var/lib/wharf
USER 1000:1000
VOLUME ["/var/lib/wharf"]
EXPOSE 7070 7400 7401 9400
ENTRYPOINT ["/app/bin/wharf"]
# No arguments: the sidecar (the injected container sets none); see scripts/image-entrypoint.sh.
CMD ["sidecar"]
