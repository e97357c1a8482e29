#!/usr/bin/env -S node --max-semi-space-size=16 --no-allocation-site-pretenuring
// `--version` answers before the CLI (and Effect with it) is loaded: health checks and scripts
// call it often, and loading the CLI costs most of a second on a busy machine.
import { enableCompileCache } from "node:module"
import { VERSION } from "./Version.ts"

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  process.stdout.write(`opnsense-mcp v${VERSION}\n`)
} else {
  // V8's compiled code for every module is kept on disk (Node's compile cache: the OS temporary
  // directory, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a command
  // after the first compiles none of the ~400 modules it loads again; a cache that cannot be
  // written is skipped silently
  enableCompileCache()
  const { main } = await import("./main.ts")
  main(argv)
}
