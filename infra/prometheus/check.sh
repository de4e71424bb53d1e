#!/usr/bin/env bash
# Checks the Prometheus configuration and rules with promtool (Debian's `prometheus`
# package): the config and every rule file parse, and the unit tests in tests/ (synthetic
# series for each alert) pass. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v promtool >/dev/null; then
  echo "promtool not found: apt-get install -y --no-install-recommends prometheus" >&2
  exit 1
fi
promtool check config prometheus.yml
promtool check rules rules/*.yml
promtool test rules tests/*.test.yml
