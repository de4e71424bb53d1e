# One image for every Tally service; the service is chosen by the command
# (node -r @swc-node/register apps/<service>/src/main.ts — ADR 0001: no build step).
FROM node:20-bookworm-slim AS deps
WORKDIR /tally
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
# NODE_OPTIONS: the young generation size of libs/platform serviceNodeArgs.
ENV NODE_ENV=production NX_DAEMON=false NX_NO_CLOUD=true NODE_OPTIONS=--max-semi-space-size=32
WORKDIR /tally
COPY --from=deps /tally/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
USER node
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "-r", "@swc-node/register", "apps/ledger/src/main.ts"]
