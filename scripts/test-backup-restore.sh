#!/usr/bin/env bash
# Prove a backup restores: checksums match, archives extract into a scratch folder, the restored
# DATA_DIR passes `opnsense-mcp state verify`, the restored desired state passes `validate`,
# firewall configs are XML with an <opnsense> root, the environment file is mode 0600, a Redis dump starts with the RDB magic.
# Usage: test-backup-restore.sh [BACKUP_FOLDER]   (default: the newest under BACKUP_DIR)
# Nothing outside the scratch folder is touched. Exit 0 restorable, 1 not.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tar; need sha256sum

backup_root="${BACKUP_DIR:-./backups}"
src="${1:-$(find "$backup_root" -mindepth 1 -maxdepth 1 -type d -name '20*Z' 2>/dev/null | sort | tail -n 1)}"
[[ -n "$src" && -d "$src" ]] || die "no backup found (looked in $backup_root)"
[[ -f "$src/FAILED" ]] && log "warning: $src is marked FAILED (incomplete)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

log "checking $src"
(cd "$src" && sha256sum --quiet -c SHA256SUMS) || die "checksums do not match"

if [[ -f "$src/data.tar.gz" ]]; then
  mkdir -p "$scratch/data-root"
  tar -xzf "$src/data.tar.gz" -C "$scratch/data-root"
  restored_data="$(find "$scratch/data-root" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
  DATA_DIR="$restored_data" opnsense_mcp state verify || die "restored DATA_DIR does not verify"
fi

if [[ -f "$src/desired-state.tar.gz" ]]; then
  mkdir -p "$scratch/desired-root"
  tar -xzf "$src/desired-state.tar.gz" -C "$scratch/desired-root"
  restored_desired="$(find "$scratch/desired-root" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
  opnsense_mcp validate --dir "$restored_desired" || die "restored desired state does not validate"
fi

if [[ -f "$src/env" ]]; then
  [[ "$(stat -c %a "$src/env")" == "600" ]] || die "env (the environment file) is not mode 0600"
  log "env: $(grep -c '=' "$src/env" || true) settings, mode 0600"
fi

for xml in "$src"/firewall-*.xml; do
  [[ -e "$xml" ]] || continue
  grep -q '<opnsense' "$xml" || die "$(basename "$xml") is not an OPNsense config"
  log "$(basename "$xml"): $(wc -c <"$xml") bytes, <opnsense> root present"
done

if [[ -f "$src/redis.rdb" ]]; then
  [[ "$(head -c 5 "$src/redis.rdb")" == "REDIS" ]] || die "redis.rdb is not an RDB file"
  log "redis.rdb: RDB header present"
fi

echo "restorable: $src"
