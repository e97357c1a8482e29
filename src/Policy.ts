/**
 * Policy analysis: what a rule set actually does. `lint` finds shadowed, redundant and contradicted
 * rules, lockout risks and alias problems; `explain` says which rule decides a packet and why, rule
 * by rule. Both are pure functions over a PolicyInput, which can be built from desired state
 * (`fromDesired`), a live snapshot (`fromLive`) or the state a plan would produce (`fromPlan`).
 * Semantics and limits: docs/policy.md.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { DesiredStateShape, LoadOptions } from "./DesiredState.ts"
import { sortIssues } from "./DesiredState/Issues.ts"
import { hasErrors } from "./DesiredState/Load.ts"
import type { DesiredSite, DesiredTree, Issue } from "./Domain/Desired.ts"
import { compile, type CompiledPolicy } from "./Policy/Compile.ts"
import type { Explanation, Finding, Packet, PolicyInput } from "./Policy/Domain.ts"
import { decide, type Decision } from "./Policy/Evaluate.ts"
import { fromDesired } from "./Policy/Input.ts"
import { lintCompiled } from "./Policy/Lint.ts"
import { explainWithNat } from "./Policy/Nat.ts"
import { type CompiledPacket, compilePacket } from "./Policy/Packet.ts"

export { compile, type CompiledPolicy } from "./Policy/Compile.ts"
export * from "./Policy/Domain.ts"
export { fromDesired, fromLive, fromPlan } from "./Policy/Input.ts"
export { DEFAULT_SENSITIVE_INTERFACES } from "./Policy/Lint.ts"
export { defaultSeverities } from "./Policy/Lint/Finding.ts"

/** The packet given to `explain` cannot be evaluated (bad address, port without tcp/udp, ...). */
export class PacketInvalid extends Data.TaggedError("PacketInvalid")<{
  readonly message: string
  readonly problems: ReadonlyArray<string>
}> {}

const compiled = (input: PolicyInput | CompiledPolicy): CompiledPolicy => ("resolver" in input ? input : compile(input))

const checkedPacket = (
  policy: CompiledPolicy,
  packet: Packet
): Result.Result<{ readonly packet: CompiledPacket; readonly notes: ReadonlyArray<string> }, PacketInvalid> => {
  const p = compilePacket(policy, packet)
  return p._tag === "Invalid"
    ? Result.fail(
      new PacketInvalid({ message: `cannot evaluate this packet: ${p.problems.join("; ")}`, problems: p.problems })
    )
    : Result.succeed(p)
}

/** Every finding, severities applied ("off" dropped), sorted by file and line. */
export const lint = (input: PolicyInput | CompiledPolicy): ReadonlyArray<Finding> => lintCompiled(compiled(input))

/**
 * Which rule decides the packet (an inbound one after the port forward that translates it), the rules that can apply to it (its interface, direction and
 * protocol) in evaluation order with why each did or did not match, and how many others there are.
 */
export const explain = (
  input: PolicyInput | CompiledPolicy,
  packet: Packet
): Result.Result<Explanation, PacketInvalid> => {
  const policy = compiled(input)
  return Result.map(checkedPacket(policy, packet), (p) =>
    explainWithNat(
      policy,
      p.packet,
      // an interface given by its description is shown by the identifier it stands for (a note says so)
      packet.interface === undefined ? packet : { ...packet, interface: p.packet.interface },
      p.notes
    ))
}

/** The decision alone, on the fast path (what the benchmark measures). */
export const decidePacket = (
  policy: CompiledPolicy,
  packet: Packet
): Result.Result<{ readonly action: Decision["action"]; readonly rule: string | undefined }, PacketInvalid> =>
  Result.map(checkedPacket(policy, packet), (p) => {
    const d = decide(policy, p.packet)
    return { action: d.action, rule: d.rule?.rule.name }
  })

/** A finding as a desired-state Issue (`file:line:col: severity[code]: message`). */
export const findingToIssue = (finding: Finding, siteFile = "sites.yaml"): Issue => ({
  file: finding.source?.file ?? siteFile,
  line: finding.source?.line ?? 1,
  column: finding.source?.column ?? 1,
  severity: finding.severity,
  code: finding.code,
  message: finding.message,
  ...(finding.name !== undefined ? { name: finding.name } : {}),
  kind: finding.kind,
  hint: finding.hint
})

/** For `validate`: the lint findings of one desired site as Issues; error-severity ones fail validation. */
export const lintSite = (site: DesiredSite): ReadonlyArray<Issue> => {
  const input = fromDesired(site)
  return lint(input).map((f) => findingToIssue(f, input.siteFile))
}

/**
 * `validate` as the CLI command and the MCP tool mean it: the desired state's own
 * checks plus the policy lint, whose error-severity findings (a shadowed rule, a rule that locks
 * out the management path) make the tree invalid. `plan` does not lint: it loads the tree only.
 */
export const validateWithLint = (
  desired: DesiredStateShape,
  options: LoadOptions
): Effect.Effect<{ readonly tree: DesiredTree | undefined; readonly issues: ReadonlyArray<Issue> }> =>
  Effect.map(desired.validate(options), (result) => {
    if (result.tree === undefined) return result
    const issues = sortIssues([...result.issues, ...result.tree.sites.flatMap(lintSite)])
    return { tree: hasErrors(issues) ? undefined : result.tree, issues }
  })
