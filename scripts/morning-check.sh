#!/usr/bin/env bash
# The daily look: health, version, breaker, reconcile failures and drift from /metrics, cache
# stats (with ADMIN_TOKEN), recent errors in error.log and disk use of DATA_DIR/LOG_DIR.
# Days left on each firewall's TLS certificate (a finding under 30 days).
# Exit 0 when nothing needs attention, 1 otherwise (each finding is printed as "ATTENTION: ...").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need curl; need jq

findings=0
attention() { echo "ATTENTION: $*"; findings=$((findings + 1)); }

echo "== health"
if ! "$SCRIPT_DIR/health-check.sh"; then attention "the instance is not ready"; fi
ops_get /health
open_breakers="$(jq '[.dependencies.circuit[]? | select(.state != "closed")] | length' <<<"$OPS_BODY" 2>/dev/null || echo 0)"
(( open_breakers > 0 )) && attention "$open_breakers circuit breaker(s) open (POST /admin/circuit-breaker/disable to close)"

echo "== certificates"
jq -r '.dependencies.opnsense | to_entries[] | select(.value.certificate) | .key as $site | .value.certificate
  | if .status == "unknown" then "certificate[\($site)]: unknown (\(.error))"
    else "certificate[\($site)]: \(.daysLeft) days left (until \(.notAfter))\(if .status != "ok" then " \(.status | ascii_upcase)" else "" end)" end' \
  <<<"$OPS_BODY" 2>/dev/null || true
while IFS= read -r warning; do
  if [[ -n "$warning" ]]; then attention "$warning"; fi
done < <(jq -r '.warnings[]?' <<<"$OPS_BODY" 2>/dev/null || true)

echo "== version"
ops_get /version
version="$OPS_BODY"
[[ "$OPS_STATUS" == "200" ]] && jq -r '"opnsense-mcp \(.version) (commit \(.commit // "unknown")), node \(.node); firewalls: \(.opnsense | to_entries | map("\(.key)=\(.value)") | join(", "))"' <<<"$version"

echo "== metrics"
ops_get /metrics "${METRICS_TOKEN:-${ADMIN_TOKEN:-}}"
metrics="$OPS_BODY"
if [[ "$OPS_STATUS" != "200" ]]; then
  attention "/metrics answered HTTP $OPS_STATUS"
else
  sum() { awk -v re="$1" '$0 ~ re {s += $NF} END {print s + 0}' <<<"$metrics"; }
  failed="$(sum '^opnsense_mcp_reconcile_runs_total\\{.*result="failed"')"
  drift="$(sum '^opnsense_mcp_drift_objects\\{')"
  errors5xx="$(sum '^opnsense_mcp_http_requests_total\\{.*status="5')"
  echo "failed reconciles: $failed, drifted objects: $drift, HTTP 5xx: $errors5xx"
  (( failed > 0 )) && attention "$failed reconcile run(s) failed since start"
  (( drift > 0 )) && attention "$drift object(s) drifted from the desired state (run: opnsense-mcp drift)"
fi

if [[ -n "${ADMIN_TOKEN:-}" ]]; then
  echo "== cache"
  ops_get /debug/cache/stats "$ADMIN_TOKEN"
  stats="$OPS_BODY"
  [[ "$OPS_STATUS" == "200" ]] && jq -r '"\(.backend): \(.hits) hits, \(.misses) misses, hit rate \((.hitRate * 100 | floor))%, \(.size) entries\(if .degraded then " (DEGRADED)" else "" end)"' <<<"$stats"
  [[ "$OPS_STATUS" == "200" ]] && [[ "$(jq -r '.degraded // false' <<<"$stats")" == "true" ]] && attention "the cache backend is degraded"
fi

echo "== logs and disk"
log_dir="${LOG_DIR:-./logs}"
if [[ -f "$log_dir/error.log" ]]; then
  since="$(date -u -d '24 hours ago' +%Y-%m-%dT%H:%M:%S 2>/dev/null || echo 0000)"
  recent="$( { jq -r --arg since "$since" 'select(.time >= $since) | .msg' "$log_dir/error.log" 2>/dev/null || true; } | wc -l)"
  echo "errors logged in the last 24 h: $recent"
  (( recent > 0 )) && attention "$recent error(s) in $log_dir/error.log in the last 24 h"
fi
for dir in "${DATA_DIR:-./data}" "$log_dir"; do
  [[ -d "$dir" ]] && du -sh "$dir" | awk '{print "disk: " $2 " uses " $1}'
done

echo "== $findings finding(s)"
(( findings == 0 ))
