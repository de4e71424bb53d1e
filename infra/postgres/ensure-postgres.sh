#!/usr/bin/env bash
# Makes sure the PostgreSQL named by DATABASE_URL answers. On a machine with a Debian
# cluster that is stopped, starts it; otherwise fails with the command to run.
set -euo pipefail
# The script's directory without dirname, which a bare PATH may lack.
here=${BASH_SOURCE[0]%/*}
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
# shellcheck source=infra/masked-url.sh
source "$here/../masked-url.sh"
url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
# What the messages show: the password stays out of logs.
shown=$(masked_url "$url")
if pg_isready -q -d "$url" 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "PostgreSQL does not answer at $shown: starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -d "$url" && exit 0; sleep 1; done
fi
echo "PostgreSQL does not answer at $shown. Start one, or set DATABASE_URL (npm start can run an embedded one)." >&2
exit 1
