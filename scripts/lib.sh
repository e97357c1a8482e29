# Shared by the runbook scripts: where the instance is, how to call it, how to call the CLI.
# Sourced, not run. Loopback defaults; every value can be overridden from the environment.

OPS_URL="${OPS_URL:-http://${HOST:-127.0.0.1}:${PORT:-3000}}"
# 0.0.0.0 / :: are listen addresses, not destinations
OPS_URL="${OPS_URL/\/\/0.0.0.0:/\/\/127.0.0.1:}"
OPS_URL="${OPS_URL/\/\/\[::\]:/\/\/127.0.0.1:}"
OPS_TIMEOUT="${OPS_TIMEOUT:-10}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ops_get PATH [TOKEN]: sets OPS_BODY and OPS_STATUS (000 when unreachable) in the calling shell
ops_request() {
  local method="$1" path="$2" token="${3:-}" out
  out="$(mktemp)"
  local auth=()
  if [[ -n "$token" ]]; then auth=(-H "Authorization: Bearer $token"); fi
  OPS_STATUS="$(curl -sS -o "$out" -w '%{http_code}' --max-time "$OPS_TIMEOUT" -X "$method" "${auth[@]}" "$OPS_URL$path" 2>/dev/null)" || OPS_STATUS=000
  OPS_BODY="$(cat "$out")"
  rm -f "$out"
}
ops_get() { ops_request GET "$@"; }
ops_post() { ops_request POST "$@"; }

# The CLI: $OPNSENSE_MCP, else opnsense-mcp on PATH, else this checkout's entry point.
opnsense_mcp() {
  if [[ -n "${OPNSENSE_MCP:-}" ]]; then
    # shellcheck disable=SC2086
    $OPNSENSE_MCP "$@"
  elif command -v opnsense-mcp >/dev/null 2>&1; then
    opnsense-mcp "$@"
  elif [[ -f "$PROJECT_DIR/dist/index.js" ]]; then
    node "$PROJECT_DIR/dist/index.js" "$@"
  else
    node "$PROJECT_DIR/src/index.ts" "$@"
  fi
}

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed"; }

json_field() { jq -r "$1" 2>/dev/null; }
