/**
 * `opnsense-mcp import [--out DIR] [--kind vlan,alias,rule]`: write YAML for the live objects, to
 * adopt an existing firewall. Without --out the YAML goes to stdout. The imported objects are
 * recorded in state.json, so planning the written files gives an empty plan.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { ResourceKind } from "../Domain/Model.ts"
import { Reconciler } from "../Reconciler.ts"
import * as Runtime from "../Runtime.ts"
import { ExitCode, exitWith, globalFlags, optionToUndefined } from "./Common.ts"
import { err, out } from "./Plan.ts"

const KINDS: ReadonlyArray<ResourceKind> = ["vlan", "alias", "rule"]

const parseKinds = (raw: Option.Option<string>) =>
  Effect.gen(function*() {
    if (Option.isNone(raw)) return KINDS
    const asked = raw.value.split(",").map((k) => k.trim().replace(/s$/, "").replace(/^aliase$/, "alias"))
    const unknown = asked.filter((k) => !KINDS.some((known) => known === k))
    if (unknown.length > 0) {
      return yield* Effect.fail(new Error(`unknown kind(s) ${unknown.join(", ")}; use vlan, alias or rule`))
    }
    return KINDS.filter((k) => asked.includes(k))
  })

export const command = Command.make(
  "import",
  {
    ...globalFlags,
    out: Flag.String("out").pipe(Flag.withDescription("write YAML into DIR"), Flag.optional),
    kind: Flag.String("kind").pipe(
      Flag.withDescription("only these kinds, comma-separated: vlan,alias,rule"),
      Flag.optional
    )
  },
  (flags) =>
    Effect.gen(function*() {
      const kinds = yield* parseKinds(flags.kind)
      const result = yield* Reconciler.use((r) => r.importLive({ site: optionToUndefined(flags.site), kinds }))
      if (Option.isSome(flags.out)) {
        const dir = flags.out.value
        yield* Effect.tryPromise(async () => {
          await mkdir(dir, { recursive: true })
          for (const file of result.files) await writeFile(join(dir, file.path), file.content)
        })
      }
      if (flags.json) yield* out(`${JSON.stringify(result, null, 2)}\n`)
      else if (Option.isNone(flags.out)) {
        for (const file of result.files) yield* out(`# --- ${file.path}\n${file.content}`)
      }
      const where = Option.isSome(flags.out) ? ` into ${flags.out.value}` : ""
      yield* err(
        `imported ${result.counts.vlan} vlans, ${result.counts.alias} aliases, ${result.counts.rule} rules${where}\n`
      )
      for (const note of result.skipped) yield* err(`skipped ${note}\n`)
      yield* exitWith(ExitCode.ok)
    }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))
).pipe(Command.withDescription("write YAML for the live objects, to adopt an existing firewall"))
