/**
 * A process of its own writing to a shared DATA_DIR (multi-process.test.ts): `n` inventory
 * updates of its site and `n` audit entries, as a pm2 worker applying that site would.
 *   node test/store/concurrent-child.ts <dataDir> <site> <n>
 */
import { Effect } from "effect"
import * as Store from "../../src/Store/Store.ts"

const [dataDir = "", site = "", count = "0"] = process.argv.slice(2)

await Effect.runPromise(Effect.gen(function*() {
  const store = yield* Store.make(dataDir)
  for (let i = 0; i < Number(count); i++) {
    yield* store.updateSite(
      site,
      (s) => ({ ...s, inventory: { ...s.inventory, rule: { ...s.inventory.rule, [`r${i}`]: `${site}-${i}` } } })
    )
    yield* store.appendAudit({
      at: new Date().toISOString(),
      actor: `worker-${site}`,
      site,
      action: "apply",
      planId: `${site}-${i}`,
      result: "applied",
      changes: []
    })
  }
}))
