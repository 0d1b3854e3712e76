# syntax=docker/dockerfile:1
# Echora: one image build, two targets.
#   docker build --target server -t echora-server .   (sync server + the client it serves)
#   docker build --target sfu    -t echora-sfu .      (voice and screen share)
# deploy/compose.yaml builds both. The servers run as compiled JavaScript
# (scripts/build-server.mjs), as the non-root `node` user.

# --- build: install everything, build the client, compile the servers ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY sync-server/package.json sync-server/
COPY sfu/package.json sfu/
COPY client/package.json client/
COPY e2e/package.json e2e/
COPY bench/package.json bench/
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build -w client && npm run build:server
# Runtime dependencies only, gathered into /out with what the servers read.
RUN npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p /out/sync-server /out/sfu /out/client \
 && cp -r package.json node_modules migrations /out/ \
 && cp -r sync-server/package.json sync-server/dist /out/sync-server/ \
 && cp -r sfu/package.json sfu/dist /out/sfu/ \
 && cp -r client/dist /out/client/ \
 && if [ -d sync-server/node_modules ]; then cp -r sync-server/node_modules /out/sync-server/; fi

# --- runtime base: Node, the compiled servers, no compilers ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out /app
# Owned by node, so named volumes mounted here start writable by it.
RUN mkdir -p /data/uploads && chown -R node:node /data
USER node

# --- the sync server (HTTP, WebSocket /sync, the client) ---
FROM runtime AS server
ENV BIND_ADDR=0.0.0.0:3000 \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "sync-server/dist/server.js"]

# --- the SFU (signaling on 3001/tcp, media on the UDP range) ---
FROM runtime AS sfu
ENV BIND_ADDR=0.0.0.0:3000 \
    SFU_PORT=3001 \
    SFU_UDP_PORT_MIN=40000 \
    SFU_UDP_PORT_MAX=40100
EXPOSE 3001/tcp
EXPOSE 40000-40100/udp
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3001/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "sfu/dist/server.js"]
