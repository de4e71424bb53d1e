#!/usr/bin/env bash
# Runs every test: unit tests (cached by Nx), then integration tests against the real Kafka
# broker (started here if none answers) and the real PostgreSQL (DATABASE_URL, default
# 127.0.0.1:5432). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=infra/masked-url.sh
source infra/masked-url.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

if [ -z "${KAFKA_BROKERS:-}" ]; then
  # CI starts its broker empty: a broker killed with the machine's last session leaves its
  # data to be recovered first, which took CI's broker past its start timeout once.
  if [ "${CI:-}" = true ] && ! bash infra/kafka/kafka.sh status >/dev/null 2>&1; then
    bash infra/kafka/kafka.sh reset
  fi
  bash infra/kafka/kafka.sh start
  export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092}
fi
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
bash infra/postgres/ensure-postgres.sh

echo "== formatting, typecheck and lint (module boundaries included)"
npx prettier --check . --log-level warn
npx tsc -p tsconfig.json --noEmit
npx tsc -p apps/dashboard/tsconfig.json --noEmit
npx nx run-many -t lint --output-style=stream
echo "== Prometheus config, rules and rule unit tests (promtool)"
bash infra/prometheus/check.sh
echo "== unit tests"
npx nx run-many -t test --output-style=stream
echo "== integration tests (Kafka ${KAFKA_BROKERS}, PostgreSQL $(masked_url "$DATABASE_URL"))"
# Two projects at a time, each one file at a time: every file has its own topics and schemas
# (libs/testing isolate), and one at a time left a core idle most of the run.
npx nx run-many -t integration --parallel=2 --output-style=stream
echo "== broker security (a second broker in secure mode, on free ports)"
npx nx run messaging:broker-security --output-style=stream
echo "== all tests passed"
