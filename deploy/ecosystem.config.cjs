// pm2: `pm2 start deploy/ecosystem.config.cjs` (docs/operations.md). Cluster mode runs one
// process per core behind pm2's shared listener; every worker must share state through Redis
// (REDIS_URL: cache, apply lock, leader election of the reconcile loop), so REDIS_URL is required.
// Log rotation is left to logrotate (deploy/logrotate.conf): several processes append to the same
// files, so LOG_MAX_BYTES=0 turns off in-process rotation.
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
      env_file: "/etc/opnsense-mcp/env",
      env: {
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: "3000",
        REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
        DATA_DIR: "/var/lib/opnsense-mcp/data",
        LOG_DIR: "/var/log/opnsense-mcp",
        LOG_MAX_BYTES: "0"
      },
      // pm2's own stdout/stderr capture; structured logs are in LOG_DIR
      out_file: "/var/log/opnsense-mcp/pm2-out.log",
      error_file: "/var/log/opnsense-mcp/pm2-error.log",
      merge_logs: true
    }
  ]
}
