#!/usr/bin/env bash
# How big and how busy: objects per kind, request volume and latency per route, OPNsense calls,
# cache hit rate, process memory, disk use. For capacity planning; exit 0 unless unreachable.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need curl; need jq

ops_get /metrics "${METRICS_TOKEN:-${ADMIN_TOKEN:-}}"
metrics="$OPS_BODY"
[[ "$OPS_STATUS" == "200" ]] || die "/metrics answered HTTP $OPS_STATUS at $OPS_URL"

echo "== capacity report $(date -u +%Y-%m-%dT%H:%M:%SZ) for $OPS_URL"
echo "== objects"
ops_get /version
sites="$(jq -r '.opnsense | keys[]' <<<"$OPS_BODY" 2>/dev/null || true)"
for site in ${sites:-default}; do
  line="site $site:"
  for kind in vlans aliases rules; do
    ops_get "/api/$kind?site=$site" "${MCP_AUTH_TOKEN:-}"
    body="$OPS_BODY"
    if [[ "$OPS_STATUS" == "200" ]]; then line="$line $(jq -r .count <<<"$body") $kind"; else line="$line ? $kind (HTTP $OPS_STATUS)"; fi
  done
  echo "$line"
done

echo "== HTTP requests by route (count, mean latency)"
awk '
  /^opnsense_mcp_http_request_duration_seconds_sum\{/ { match($0, /route="[^"]*"/); r = substr($0, RSTART + 7, RLENGTH - 8); sum[r] += $NF }
  /^opnsense_mcp_http_request_duration_seconds_count\{/ { match($0, /route="[^"]*"/); r = substr($0, RSTART + 7, RLENGTH - 8); cnt[r] += $NF }
  END { for (r in cnt) printf "  %-28s %10d  %8.2f ms\n", r, cnt[r], (cnt[r] > 0 ? 1000 * sum[r] / cnt[r] : 0) }
' <<<"$metrics" | sort

echo "== OPNsense API calls"
awk '/^opnsense_mcp_opnsense_api_calls_total\{/ { s += $NF } END { printf "  total: %d\n", s }' <<<"$metrics"
awk '
  /^opnsense_mcp_opnsense_api_call_duration_seconds_sum\{/ { s += $NF }
  /^opnsense_mcp_opnsense_api_call_duration_seconds_count\{/ { c += $NF }
  END { if (c > 0) printf "  mean latency: %.1f ms\n", 1000 * s / c }
' <<<"$metrics"

echo "== cache"
awk '
  /^opnsense_mcp_cache_hits_total/ { h += $NF } /^opnsense_mcp_cache_misses_total/ { m += $NF }
  END { printf "  hits %d, misses %d, hit rate %s\n", h, m, (h + m > 0 ? sprintf("%.0f%%", 100 * h / (h + m)) : "n/a") }
' <<<"$metrics"

echo "== process"
awk '
  /^opnsense_mcp_process_resident_memory_bytes / { printf "  rss: %.1f MiB\n", $NF / 1048576 }
  /^opnsense_mcp_process_heap_used_bytes / { printf "  heap used: %.1f MiB\n", $NF / 1048576 }
  /^opnsense_mcp_process_uptime_seconds / { printf "  uptime: %.1f h\n", $NF / 3600 }
' <<<"$metrics"

echo "== disk"
for dir in "${DATA_DIR:-./data}" "${LOG_DIR:-./logs}" "${BACKUP_DIR:-./backups}"; do
  [[ -d "$dir" ]] && du -sh "$dir" | awk '{print "  " $2 ": " $1}'
done
exit 0
