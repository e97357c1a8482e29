#!/usr/bin/env bash
# Back up everything needed to rebuild an instance, into BACKUP_DIR/<UTC timestamp>/:
#   data.tar.gz            DATA_DIR (state.json, plans, audit log, journal)
#   desired-state.tar.gz   DESIRED_STATE_DIR (also in git; this is the copy that was live)
#   redis.rdb              a Redis snapshot (redis-cli --rdb), when REDIS_URL is set
#   env                    the environment file (OPNSENSE_MCP_ENV_FILE, default /etc/opnsense-mcp/env:
#                          tokens and API secrets), mode 0600; skipped when there is none
#   firewall-<site>.xml    each firewall's config.xml, through the running instance
#                          (GET /admin/backup/config, needs ADMIN_TOKEN; skipped without it)
#   SHA256SUMS             checksums of the above
# Then, when BACKUP_S3_URI is set and the aws CLI is installed, uploads the folder; and deletes
# local backups older than BACKUP_RETENTION_DAYS (default 30).
# Exit 0 when every enabled part succeeded; 1 otherwise (the partial backup is kept, marked FAILED).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tar; need sha256sum

backup_root="${BACKUP_DIR:-./backups}"
retention="${BACKUP_RETENTION_DAYS:-30}"
[[ "$retention" =~ ^[0-9]+$ ]] || die "BACKUP_RETENTION_DAYS must be a whole number of days, not '$retention'"
env_file="${OPNSENSE_MCP_ENV_FILE:-/etc/opnsense-mcp/env}"
data_dir="${DATA_DIR:-./data}"
desired_dir="${DESIRED_STATE_DIR:-./desired-state}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dest="$backup_root/$stamp"
mkdir -p "$dest"
chmod 700 "$dest"
failed=0
part_failed() { log "FAILED: $*"; failed=1; }

if [[ -d "$data_dir" ]]; then
  tar -czf "$dest/data.tar.gz" -C "$(dirname "$data_dir")" "$(basename "$data_dir")" && log "DATA_DIR → data.tar.gz" ||
    part_failed "archive of $data_dir"
else
  log "skip: DATA_DIR $data_dir does not exist"
fi

if [[ -d "$desired_dir" ]]; then
  tar -czf "$dest/desired-state.tar.gz" -C "$(dirname "$desired_dir")" "$(basename "$desired_dir")" &&
    log "DESIRED_STATE_DIR → desired-state.tar.gz" || part_failed "archive of $desired_dir"
else
  log "skip: DESIRED_STATE_DIR $desired_dir does not exist"
fi

if [[ -e "$env_file" ]]; then
  # it holds secrets: created 0600 (umask), never readable by anyone but the owner, even for a moment
  (umask 077 && cat "$env_file" >"$dest/env") && chmod 600 "$dest/env" && log "environment file $env_file → env (0600)" ||
    part_failed "copy of the environment file $env_file"
else
  log "skip: no environment file at $env_file (set OPNSENSE_MCP_ENV_FILE)"
fi

if [[ -n "${REDIS_URL:-}" ]]; then
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -u "$REDIS_URL" --no-auth-warning --rdb "$dest/redis.rdb" >/dev/null 2>&1 && log "Redis → redis.rdb" ||
      part_failed "redis-cli --rdb against REDIS_URL"
  else
    part_failed "REDIS_URL is set but redis-cli is not installed"
  fi
fi

if [[ -n "${ADMIN_TOKEN:-}" ]]; then
  ops_get /version
  sites="$(jq -r '.opnsense | keys[]' <<<"$OPS_BODY" 2>/dev/null || true)"
  [[ -z "$sites" ]] && sites="${BACKUP_SITES:-default}"
  for site in $sites; do
    ops_get "/admin/backup/config?site=$site" "$ADMIN_TOKEN"
    printf '%s\n' "$OPS_BODY" >"$dest/firewall-$site.xml"
    if [[ "$OPS_STATUS" == "200" ]] && grep -q '<opnsense' "$dest/firewall-$site.xml"; then
      log "firewall $site → firewall-$site.xml"
    else
      part_failed "firewall config of site $site (HTTP $OPS_STATUS from $OPS_URL)"
      rm -f "$dest/firewall-$site.xml"
    fi
  done
else
  log "skip: firewall configs (set ADMIN_TOKEN to fetch them through $OPS_URL)"
fi

(cd "$dest" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | sort | xargs -r sha256sum >SHA256SUMS)
[[ $failed -eq 1 ]] && touch "$dest/FAILED"

if [[ -n "${BACKUP_S3_URI:-}" ]]; then
  if command -v aws >/dev/null 2>&1; then
    aws s3 cp --recursive --only-show-errors "$dest" "${BACKUP_S3_URI%/}/$stamp/" && log "uploaded to ${BACKUP_S3_URI%/}/$stamp/" ||
      part_failed "upload to $BACKUP_S3_URI"
  else
    log "skip upload: BACKUP_S3_URI is set but the aws CLI is not installed"
  fi
fi

# retention: only folders that look like ours
find "$backup_root" -mindepth 1 -maxdepth 1 -type d -name '20[0-9][0-9][01][0-9][0-3][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z' \
  -mtime "+$retention" -print -exec rm -rf {} + | sed 's/^/removed old backup: /' >&2 || true

echo "$dest"
exit "$failed"
