# One image for every Tally service; the service is chosen by the command
# (infra/exec-service.sh <service>: dist/apps/<service>/src/main.js, compiled by
# `npm run build` — ADR 0008 — run with the node flags of libs/platform serviceNodeArgs).
FROM node:20-bookworm-slim AS deps
WORKDIR /tally
COPY package.json package-lock.json ./
# npm ci's postinstall applies them (patch-package).
COPY patches ./patches
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production NX_DAEMON=false NX_NO_CLOUD=true
WORKDIR /tally
COPY --from=deps /tally/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY swc.options.js ./
COPY infra/build.js infra/build-dashboard.js infra/exec-service.sh infra/migrate.ts ./infra/
COPY apps ./apps
COPY libs ./libs
RUN node infra/build.js
USER node
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# Restarting a crashed service is the runtime's job (an image cannot set it):
# docker-compose.yml sets `restart: unless-stopped`, by hand `docker run --restart unless-stopped`,
# and Kubernetes restarts by default. SIGTERM drains consumers and the outbox before exit.
STOPSIGNAL SIGTERM
CMD ["sh", "infra/exec-service.sh", "ledger"]
