/** Takes the file apply lock of site "s" in DATA_DIR (argv[2]), says so, and waits to be killed. */
import { Effect } from "effect"
import { makeFileLock } from "../../src/Safety/Lock/File.ts"

const dir = process.argv[2] ?? "."
// Effect.never holds no handle: keep the event loop alive until the kill
setInterval(() => {}, 60_000)
Effect.runFork(Effect.scoped(Effect.gen(function*() {
  const lease = yield* makeFileLock({ dir }).acquire("s")
  process.stdout.write(`held ${lease.token}\n`)
  yield* Effect.never
})))
