#!/usr/bin/env bash
# Runs Tally locally: the Kafka broker (infra/kafka), PostgreSQL (DATABASE_URL, the one on
# 127.0.0.1:5432, or an embedded one), every service, and a demo producer whose events
# show up as balance changes. Ctrl-C stops the services (the broker keeps running; stop it
# with `npm run kafka -- stop`).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=infra/masked-url.sh
source infra/masked-url.sh
export NX_DAEMON=false NX_NO_CLOUD=true

bash infra/kafka/kafka.sh start
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}
if [ "${KAFKA_SASL:-0}" = 1 ]; then
  # Secure mode: each service authenticates as itself (infra/dev/run.ts picks its password).
  set -a
  # shellcheck disable=SC1090
  source "$(bash infra/kafka/kafka.sh credentials)"
  set +a
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait || true; }
trap cleanup EXIT INT TERM

if [ -z "${DATABASE_URL:-}" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
  else
    echo "no DATABASE_URL and nothing on 127.0.0.1:5432: starting an embedded PostgreSQL"
    node infra/postgres/embedded.mjs &
    pids+=($!)
    for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 1; done
    export DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres
  fi
fi
# The URL may hold a password: the user, host and database say which one is used.
echo "PostgreSQL: $(masked_url "$DATABASE_URL")"

node infra/build.js
node -r @swc-node/register infra/dev/run.ts &
pids+=($!)
wait "${pids[-1]}"
