#!/bin/sh
# Replaces itself with a Tally service process (the container command, and `nx serve` after a
# build): node with the flags of libs/platform serviceNodeArgs, the one list every launcher
# uses. Several of those flags are V8 options that NODE_OPTIONS refuses. Needs dist/
# (npm run build).
set -e
cd "$(dirname "$0")/.."
service=${1:?usage: infra/exec-service.sh <service>}
# shellcheck disable=SC2046 # the flags are split on purpose
exec node $(node -p "require('./dist/libs/platform/src/service-command').serviceNodeArgs(process.argv[1]).join(' ')" "$service")
