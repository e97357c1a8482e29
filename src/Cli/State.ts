/**
 * `opnsense-mcp state verify` (exit 0 ok, 1 problems): state.json decodes at the current schema,
 * the audit log's hash chain is intact and not truncated, stored plans decode.
 * `opnsense-mcp state migrate`: upgrade state.json to the current schema, atomically.
 */
import * as Effect from "effect/Effect"
import * as Runtime from "../Runtime.ts"
import { Store } from "../Store/Store.ts"
import type { StateFlags } from "./Commands.ts"
import { err, ExitCode, exitWith, out } from "./Common.ts"

export const verify = (flags: StateFlags) =>
  Effect.gen(function*() {
    const store = yield* Store
    const report = yield* store.verify
    if (flags.json) yield* out(`${JSON.stringify({ dataDir: store.dataDir, ...report }, null, 2)}\n`)
    else {
      for (const problem of report.problems) yield* err(`problem: ${problem}\n`)
      const { sites, plans, auditEntries } = report.checked
      yield* out(
        `${
          report.ok ? "✓ DATA_DIR is consistent" : `✗ ${report.problems.length} problem(s)`
        } — ${store.dataDir}: ${sites} sites, ${plans} plans, ${auditEntries} audit entries\n`
      )
    }
    yield* exitWith(report.ok ? ExitCode.ok : ExitCode.error)
  }).pipe(Effect.provide(Runtime.storeOnly))

export const migrate = (flags: StateFlags) =>
  Effect.gen(function*() {
    const store = yield* Store
    const report = yield* store.migrate
    if (flags.json) yield* out(`${JSON.stringify(report)}\n`)
    else {
      yield* out(
        report.changed
          ? `✓ state.json migrated from schema ${report.from} to ${report.to}\n`
          : `✓ state.json is already at schema ${report.to}\n`
      )
    }
    yield* exitWith(ExitCode.ok)
  }).pipe(Effect.provide(Runtime.storeOnly))
