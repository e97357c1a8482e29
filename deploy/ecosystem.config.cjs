// pm2: `pm2 start deploy/ecosystem.config.cjs` (docs/operations.md). Cluster mode runs one
// process per core behind pm2's shared listener; every worker must share state through Redis
// (REDIS_URL: cache, apply lock, leader election of the reconcile loop), so REDIS_URL is required.
// Log rotation is left to logrotate (deploy/logrotate.conf): several processes append to the same
// files, so LOG_MAX_BYTES=0 turns off in-process rotation.
//
// pm2 has no option that reads an environment file, so this file reads it itself: the same file
// the systemd unit names (EnvironmentFile=), in the same KEY=VALUE format. A missing or unreadable
// file stops `pm2 start` with its path; the settings in it win over the defaults below, as
// EnvironmentFile= wins over Environment= in systemd. OPNSENSE_MCP_ENV_FILE names another file.
const fs = require("node:fs")

const envFile = process.env.OPNSENSE_MCP_ENV_FILE || "/etc/opnsense-mcp/env"
// where pm2 keeps the workers' stdout/stderr (structured logs go to LOG_DIR)
const pm2LogDir = process.env.OPNSENSE_MCP_PM2_LOG_DIR || "/var/log/opnsense-mcp"

/** systemd's EnvironmentFile= syntax: KEY=VALUE lines, `#`/`;` comments, optional quotes. */
const readEnvFile = (file) => {
  let text
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (error) {
    throw new Error(`opnsense-mcp: cannot read the environment file ${file} (${error.code || error.message}); ` +
      "create it from deploy/env.example, or set OPNSENSE_MCP_ENV_FILE to where it is")
  }
  const env = {}
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim()
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) return
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed)
    if (match === null) throw new Error(`opnsense-mcp: ${file}:${index + 1}: not a KEY=VALUE line`)
    const raw = match[2]
    const quoted = /^"(.*)"$/.exec(raw) || /^'(.*)'$/.exec(raw)
    env[match[1]] = quoted === null ? raw : quoted[1]
  })
  return env
}

module.exports = {
  apps: [
    {
      name: "opnsense-mcp",
      script: "dist/index.js",
      args: "serve",
      cwd: __dirname + "/..",
      exec_mode: "cluster",
      instances: process.env.OPNSENSE_MCP_INSTANCES || "max",
      interpreter: "node",
      node_args: "--expose-gc --max-semi-space-size=16 --no-allocation-site-pretenuring",
      kill_timeout: 30000,
      listen_timeout: 20000,
      max_memory_restart: "512M",
      env: {
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: "3000",
        REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
        DATA_DIR: "/var/lib/opnsense-mcp/data",
        LOG_DIR: "/var/log/opnsense-mcp",
        LOG_MAX_BYTES: "0",
        ...readEnvFile(envFile)
      },
      // pm2's own stdout/stderr capture; structured logs are in LOG_DIR
      out_file: `${pm2LogDir}/pm2-out.log`,
      error_file: `${pm2LogDir}/pm2-error.log`,
      merge_logs: true
    }
  ]
}
