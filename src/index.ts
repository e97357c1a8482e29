#!/usr/bin/env -S node --max-semi-space-size=16 --no-allocation-site-pretenuring
// `--version` answers before the CLI (and Effect with it) is loaded: health checks and scripts
// call it often, and loading the CLI costs most of a second on a busy machine.
import { VERSION } from "./Version.ts"

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`opnsense-mcp v${VERSION}\n`)
} else {
  const { main } = await import("./main.ts")
  main(argv)
}
