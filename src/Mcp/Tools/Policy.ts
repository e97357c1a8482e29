/**
 * Policy tools: `lint` (shadowed, redundant, contradicted rules, lockout risks, alias problems) and
 * `explain_traffic` (which rule decides a packet and why), over the desired state or the live rules.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { DesiredState } from "../../DesiredState.ts"
import { IntentResult } from "../../Domain/Intent.ts"
import * as Policy from "../../Policy.ts"
import { withDesiredIntents } from "../../Policy/Input.ts"
import { intentResults } from "../../Policy/Intents.ts"
import { countFindings, describeExcluded, renderIntentResults, translationSummary } from "../../Policy/Render.ts"
import { Firewalls } from "../../Reconciler.ts"
import { McpConfig } from "../Config.ts"
import { chooseSite, defineTool, done, ToolError } from "../Tool.ts"
import { clip, Site } from "./Inspect.ts"

const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const

const Origin = Schema.optional(
  Schema.Literals(["desired", "live"]).annotate({
    description: "analyse the desired state (default: what the YAML says) or the live firewall's rules"
  })
)

/** The policy input of one site, from the YAML or from the firewall. */
const policyInput = (site: string | undefined, origin: "desired" | "live") =>
  Effect.gen(function*() {
    const config = yield* McpConfig
    const { tree } = yield* (yield* DesiredState).load({ dir: config.desiredStateDir, site })
    const chosen = yield* chooseSite(tree.sites, site)
    if (origin === "desired") return Policy.fromDesired(chosen)
    const client = yield* (yield* Firewalls).forSite(chosen.config)
    // the live rules answer to the intents of the desired state
    return withDesiredIntents(Policy.fromLive(yield* client.snapshot(), chosen.config), chosen)
  })

export const lint = defineTool({
  name: "lint",
  title: "Lint firewall rules",
  description: "Find problems in a rule set: shadowed and redundant rules, contradictions, any-any passes, lockout " +
    "risks to the management path, unused/empty/duplicate aliases, unlogged passes on sensitive interfaces. Each " +
    "finding has a severity, the rule or alias, the YAML location (desired state) and a hint. Use it on the desired " +
    "state before proposing, or with origin \"live\" to audit the firewall as it is. `intents` has the site's " +
    "intents checked on the same rules (held, violated, unknown).",
  input: Schema.Struct({ site: Site, origin: Origin }),
  output: Schema.Struct({
    site: Schema.String,
    origin: Schema.Literals(["desired", "live"]),
    counts: Schema.Struct({ error: Schema.Number, warning: Schema.Number, info: Schema.Number }),
    findings: Schema.Array(Policy.Finding),
    /** the site's intents on these rules; those not held are findings too */
    intents: Schema.Array(IntentResult)
  }),
  annotations: read,
  audit: false,
  run: Effect.fn("Mcp.lint")(function*({ origin, site }) {
    const input = yield* policyInput(site, origin ?? "desired")
    const findings = Policy.lint(input)
    const counts = countFindings(findings)
    const lines = findings.map((f) => {
      const at = f.source === undefined ? "" : `${f.source.file}:${f.source.line}: `
      return `${at}${f.severity}[${f.code}] ${f.name ?? ""}: ${f.message} — ${f.hint}`
    })
    const head = findings.length === 0
      ? `${input.site} (${origin ?? "desired"}): clean`
      : `${input.site} (${
        origin ?? "desired"
      }): ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`
    const intents = intentResults(Policy.compile(input), input.intents ?? [])
    return done(
      { site: input.site, origin: origin ?? "desired", counts, findings, intents },
      clip([head, ...lines, renderIntentResults("Intents", intents).trimEnd()].filter((l) => l !== "").join("\n"))
    )
  })
})

/** One value from two spellings of an argument; both given and different is the caller's mistake. */
const oneOf = (name: string, short: string, long: string | undefined, brief: string | undefined) =>
  long !== undefined && brief !== undefined && long !== brief
    ? Effect.fail(new ToolError({ message: `${name} and ${short} differ ("${long}", "${brief}"); give one of them` }))
    : Effect.succeed(long ?? brief)

/** One line per port forward or 1:1 NAT entry an inbound packet met. */
const natSteps = (t: Policy.Translation): ReadonlyArray<string> =>
  t.steps.map((s) => `  nat ${s.position}. ${s.forward}: ${s.outcome} — ${s.reasons.join("; ")}`)

export const explainTraffic = defineTool({
  name: "explain_traffic",
  title: "Explain traffic",
  description:
    "Say which rule decides a packet and why: for an inbound packet first the port forward or 1:1 NAT entry that " +
    "translates it " +
    "(pf applies destination NAT before filter rules; the decision is then on the translated destination and port), " +
    "then the rules considered in pf evaluation order (floating, " +
    "group, interface; quick and last-match), each with why it matched or not, the decision (pass/block/reject) and " +
    "whether it is certain. Use it to answer \"can A reach B on port P?\" before and after a change.",
  input: Schema.Struct({
    site: Site,
    origin: Origin,
    source: Schema.optional(Schema.String.annotate({ description: "source address, e.g. 10.30.0.15" })),
    destination: Schema.optional(Schema.String.annotate({ description: "destination address, e.g. 10.0.0.53" })),
    protocol: Schema.optional(Schema.String.annotate({ description: "tcp, udp, icmp, ... (required; or proto)" })),
    // the CLI's spellings (--src, --dst, --proto), so an agent that read the CLI docs is not refused
    src: Schema.optional(Schema.String.annotate({ description: "the same as source" })),
    dst: Schema.optional(Schema.String.annotate({ description: "the same as destination" })),
    proto: Schema.optional(Schema.String.annotate({ description: "the same as protocol" })),
    port: Schema.optional(Schema.Int.annotate({ description: "destination port" })),
    sourcePort: Schema.optional(Schema.Int),
    interface: Schema.optional(Schema.String.annotate({ description: "interface the packet arrives on, e.g. opt3" })),
    direction: Schema.optional(Schema.Literals(["in", "out"]))
  }),
  output: Policy.Explanation,
  annotations: read,
  audit: false,
  run: Effect.fn("Mcp.explain_traffic")(function*(args) {
    const source = yield* oneOf("source", "src", args.source, args.src)
    const destination = yield* oneOf("destination", "dst", args.destination, args.dst)
    const protocol = yield* oneOf("protocol", "proto", args.protocol, args.proto)
    if (protocol === undefined) {
      return yield* Effect.fail(
        new ToolError({ message: "protocol is required (tcp, udp, icmp, ...); add it and retry" })
      )
    }
    const input = yield* policyInput(args.site, args.origin ?? "desired")
    const packet: Policy.Packet = {
      protocol,
      ...(source === undefined ? {} : { source }),
      ...(destination === undefined ? {} : { destination }),
      ...(args.port === undefined ? {} : { destinationPort: args.port }),
      ...(args.sourcePort === undefined ? {} : { sourcePort: args.sourcePort }),
      ...(args.interface === undefined ? {} : { interface: args.interface }),
      ...(args.direction === undefined ? {} : { direction: args.direction })
    }
    const result = Policy.explain(input, packet)
    if (Result.isFailure(result)) {
      return yield* Effect.fail(
        new ToolError({ message: `${result.failure.message}; fix the packet description and retry` })
      )
    }
    const e = result.success
    const steps = e.steps.map((s) =>
      `${s.position}. ${s.rule} (${s.action}${s.quick ? ", quick" : ""}): ${s.outcome} — ${s.reasons.join("; ")}`
    )
    const via = e.decidedBy.kind === "rule" && e.decidedBy.gateway !== undefined
      ? `, routed through gateway ${e.decidedBy.gateway}`
      : ""
    const head = `${e.decision.toUpperCase()} by ${e.decidedBy.rule}${via}${
      e.certain ? "" : " (not certain: a rule could not be decided)"
    }`
    const excluded = describeExcluded(e.excluded)
    return done(
      e,
      clip(
        [
          ...(e.translation === undefined ? [] : [translationSummary(e.translation), ...natSteps(e.translation)]),
          head,
          ...steps,
          ...(excluded === undefined ? [] : [excluded]),
          ...e.notes.map((n) => `note: ${n}`)
        ].join("\n")
      )
    )
  })
})
