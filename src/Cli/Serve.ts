/**
 * `serve`: the ops HTTP server (docs/operations.md) with MCP Streamable HTTP at /mcp; `serve --stdio`
 * serves MCP over stdin/stdout instead (logs stay on stderr and in LOG_DIR).
 *
 * Layers close in reverse: the server drains and releases its hooks first, then the services
 * (Redis, clients, the sandbox), then logging, and telemetry last so the spans of the shutdown
 * itself are flushed.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Http from "../Http.ts"
import { gitCommit } from "../Http/Commit.ts"
import * as HttpConfig from "../Http/Config.ts"
import * as Wiring from "../Http/Wiring.ts"
import * as Logging from "../Logging.ts"
import * as Mcp from "../Mcp.ts"
import { Reconciler } from "../Reconciler.ts"
import * as Loop from "../Reconciler/Loop.ts"
import * as Runtime from "../Runtime.ts"
import * as Target from "../Target.ts"
import * as Telemetry from "../Telemetry.ts"
import type { ServeFlags } from "./Commands.ts"
import { optionToUndefined } from "./Common.ts"

const runHttp = Effect.gen(function*() {
  const config = yield* HttpConfig.validate({
    ...(yield* HttpConfig.config),
    otherSecrets: yield* Target.defaultCredentials
  })
  const mcp = yield* Mcp.makeHttpHandler
  const ports = yield* Wiring.ports({ mcp: mcp.handle, commit: gitCommit() })
  const context = yield* Layer.build(Http.layer(config, ports))
  const server = Context.get(context, Http.OpsServer)
  yield* server.health.refresh
  yield* Effect.sync(() =>
    process.stderr.write(`opnsense-mcp serving on ${server.url} (health: ${server.url}/health)\n`)
  )
  return yield* Effect.never
})

/** A deployment refuses to start without a firewall for every site (Target.refuseSandboxInDeployment). */
const refuseUnconfigured = Effect.gen(function*() {
  const url = yield* Config.option(Config.String("OPNSENSE_URL"))
  if (Option.isSome(url) && url.value !== "") return
  const sites = yield* Reconciler.use((r) => r.sites).pipe(Effect.orElseSucceed(() => []))
  const unset = sites.length === 0 ? ["default"] : sites.filter((s) => (s.url ?? "") === "").map((s) => s.name)
  for (const name of unset) yield* Target.refuseSandboxInDeployment(name)
})

export const run = ({ dir, stdio }: ServeFlags) => {
  // the reconcile loop (RECONCILE_INTERVAL; disabled when unset) runs in the services' scope
  const services = Loop.layerConfig.pipe(Layer.provideMerge(Runtime.layer({ dir: optionToUndefined(dir) })))
  const server = stdio
    ? Mcp.runStdio.pipe(Effect.provide(Mcp.layer("stdio")))
    : runHttp.pipe(Effect.provide(Mcp.layer("http")))
  return Effect.andThen(refuseUnconfigured, server).pipe(
    Effect.scoped,
    Effect.provide(services),
    Effect.provide(Logging.layer({ files: true })),
    Effect.provide(Telemetry.layer)
  )
}
