/**
 * `opnsense-mcp import [--out DIR] [--kind vlan,alias,rule] [--commit] [--branch NAME]`: write YAML
 * for the live objects, to adopt an existing firewall. The files land in the repository layout: the
 * site's folder (from sites.yaml, the root for the single `default` site) under DIR. Without --out
 * and --commit the YAML goes to stdout. The imported objects are recorded in state.json, so
 * planning the written files gives an empty plan.
 *
 * --commit (implied by --branch) writes into a new branch of the git repository holding DIR (or the
 * desired-state directory) instead, through GitOps.importOnBranch (the flow MCP import_live uses
 * too): a temporary worktree, so the checked-out branch and the working tree stay untouched. The
 * tree is validated before the commit.
 * Nothing is recorded in state.json then (see below); the merged branch's first plan adopts the
 * objects by natural key (adds ownership markers, changes nothing else) and every plan after that
 * apply is empty, whatever happens to DATA_DIR.
 *
 * Into a tree whose site already holds items (--out DIR, or the branch's own worktree), only the
 * live objects none of them claims are added, to the files holding their kind
 * (Reconciler.importLive `into`); stdout always shows every object.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { resolve } from "node:path"
import type { ResourceKind } from "../Domain/Model.ts"
import type { ImportResult } from "../Domain/Reports.ts"
import { importOnBranch, layerConfig as gitOpsLayer, writeConfined } from "../GitOps.ts"
import { countsText, kindAt, kindNamed, kindNames } from "../Kinds/Registry.ts"
import { Reconciler } from "../Reconciler.ts"
import { importSite } from "../Reconciler/Sites.ts"
import * as Runtime from "../Runtime.ts"
import type { ImportFlags } from "./Commands.ts"
import { err, ExitCode, exitWith, optionToUndefined, out } from "./Common.ts"

/** A kind by its name ("rule") or its top-level key ("rules"). */
const kindFor = (word: string): ResourceKind | undefined => (kindNamed(word) ?? kindAt(word))?.name

const parseKinds = (raw: Option.Option<string>) =>
  Effect.gen(function*() {
    if (Option.isNone(raw)) return kindNames
    const asked = raw.value.split(",").map((k) => k.trim())
    const unknown = asked.filter((k) => kindFor(k) === undefined)
    if (unknown.length > 0) {
      return yield* Effect.fail(new Error(`unknown kind(s) ${unknown.join(", ")}; use ${kindNames.join(", ")}`))
    }
    const wanted = new Set(asked.map(kindFor))
    return kindNames.filter((k) => wanted.has(k))
  })

/** `adopt-<site>-<yyyymmdd>`, the default branch of `import --commit`. */
export const adoptionBranchName = (site: string, now: Date): string =>
  `adopt-${site.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "site"}-${
    now.toISOString().slice(0, 10).replace(/-/g, "")
  }`

/** The site an import is for, as importLive picks it. */
const siteOf = (asked: string | undefined) => Reconciler.use((r) => importSite(r.sites, asked))

export const run = (flags: ImportFlags) =>
  Effect.gen(function*() {
    const kinds = yield* parseKinds(flags.kind)
    const onBranch = flags.commit || Option.isSome(flags.branch)
    const settings = yield* Runtime.settings({ dir: optionToUndefined(flags.dir) })
    const root = Option.getOrElse(flags.out, () => settings.desiredDir)
    const asked = optionToUndefined(flags.site)
    // Record the imported objects as managed only when their YAML lands in the desired state
    // itself. Anywhere else (stdout, another folder, a branch not merged yet) the desired state
    // does not name them, and recording them would make the next plan (or an enforcing loop)
    // delete them as "removed from the desired state". Unrecorded, they are adopted by natural
    // key once their YAML is in the desired state.
    const intoDesiredState = !onBranch && Option.isSome(flags.out) && resolve(root) === resolve(settings.desiredDir)
    const countsOf = (result: ImportResult) => countsText(result.counts)
    const report = (result: ImportResult) =>
      Effect.forEach(result.skipped, (note) => err(`skipped ${note}\n`), { discard: true })
    if (onBranch) {
      const site = yield* siteOf(asked)
      const branch = Option.getOrElse(flags.branch, () => adoptionBranchName(site.name, new Date()))
      // into the branch's own tree: what it already holds is adopted, not written again
      const committed = yield* importOnBranch({
        dir: root,
        branch,
        sitePath: site.path,
        importInto: (workDir) =>
          Reconciler.use((r) => r.importLive({ site: asked, kinds, recordInventory: false, into: workDir }))
      }).pipe(Effect.provide(gitOpsLayer))
      const result = committed.result
      if (flags.json) yield* out(`${JSON.stringify({ ...result, branch, commit: committed.commit }, null, 2)}\n`)
      else {
        yield* out(`committed ${committed.commit.slice(0, 12)} on branch ${branch}: ${committed.files.join(", ")}\n`)
      }
      yield* err(
        `imported ${countsOf(result)}; the working tree is unchanged. Next: git push -u origin ${branch} and open a ` +
          `pull request: its plan only adopts these objects (ownership markers, nothing else changes); ` +
          `after the merge is applied every plan is empty.\n`
      )
      yield* report(result)
    } else if (Option.isSome(flags.out)) {
      // into DIR: objects its desired state already holds are left as they are, the rest added to its files
      const result = yield* Reconciler.use((r) =>
        r.importLive({ site: asked, kinds, recordInventory: intoDesiredState, into: root })
      )
      const sitePath = (yield* siteOf(result.site)).path
      const written = yield* writeConfined(root, sitePath, result.files)
      if (flags.json) yield* out(`${JSON.stringify({ ...result, written }, null, 2)}\n`)
      yield* err(`imported ${countsOf(result)} into ${root}${sitePath === "." ? "" : `/${sitePath}`}\n`)
      yield* report(result)
    } else {
      const result = yield* Reconciler.use((r) => r.importLive({ site: asked, kinds, recordInventory: false }))
      if (flags.json) yield* out(`${JSON.stringify(result, null, 2)}\n`)
      else for (const file of result.files) yield* out(`# --- ${file.path}\n${file.content}`)
      yield* err(`imported ${countsOf(result)}\n`)
      yield* report(result)
    }
    yield* exitWith(ExitCode.ok)
  }).pipe(Effect.provide(Runtime.layer({ dir: optionToUndefined(flags.dir) })))
