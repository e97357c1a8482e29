#!/usr/bin/env bash
# Is the instance up and ready? Exit 0 ready (status ok or degraded), 1 not ready or unreachable.
# Prints one line per dependency. Usage: health-check.sh [--quiet]   (OPS_URL or HOST/PORT)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need curl; need jq

quiet=false
[[ "${1:-}" == "--quiet" ]] && quiet=true

ops_get /health
body="$OPS_BODY"
if [[ "$OPS_STATUS" == "000" ]]; then
  echo "UNREACHABLE $OPS_URL/health"
  exit 1
fi
status="$(json_field .status <<<"$body")"
if ! $quiet; then
  echo "status: $status (HTTP $OPS_STATUS) at $OPS_URL"
  jq -r '.dependencies.opnsense | to_entries[] | "  opnsense[\(.key)]: \(.value.status) \(.value.latencyMs)ms\(if .value.version then " v\(.value.version)" else "" end)\(if .value.error then " — \(.value.error)" else "" end)"' <<<"$body"
  jq -r '"  redis: \(.dependencies.redis.status)\(if .dependencies.redis.latencyMs then " \(.dependencies.redis.latencyMs)ms" else "" end)"' <<<"$body"
  jq -r '.dependencies.circuit | to_entries[] | "  circuit[\(.key)]: \(.value.state)\(if .value.forced then " (forced)" else "" end)"' <<<"$body"
fi
[[ "$OPS_STATUS" == "200" && ( "$status" == "ok" || "$status" == "degraded" ) ]]
