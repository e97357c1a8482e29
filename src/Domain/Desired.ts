/**
 * The loaded desired state: what the YAML under DESIRED_STATE_DIR declares, already normalised to
 * the canonical specs of Model.ts, with the source position of every item kept so that plan,
 * apply and lint errors can point at the YAML line.
 */
import * as Schema from "effect/Schema"
import { Intent } from "./Intent.ts"
import { AliasSpec, RuleSpec, VlanSpec } from "./Model.ts"
import { SourceRef } from "./Plan.ts"

export const DesiredVlan = Schema.Struct({ name: Schema.String, spec: VlanSpec, source: SourceRef })
export type DesiredVlan = typeof DesiredVlan.Type
export const DesiredAlias = Schema.Struct({ name: Schema.String, spec: AliasSpec, source: SourceRef })
export type DesiredAlias = typeof DesiredAlias.Type
export const DesiredRule = Schema.Struct({ name: Schema.String, spec: RuleSpec, source: SourceRef })
export type DesiredRule = typeof DesiredRule.Type

export const Severity = Schema.Literals(["error", "warning", "info", "off"])
export type Severity = typeof Severity.Type

/** A TCP probe run from this machine after an apply; failure triggers the automatic revert. */
export const Probe = Schema.Struct({
  host: Schema.String,
  port: Schema.Number,
  timeoutMs: Schema.optional(Schema.Number)
})
export type Probe = typeof Probe.Type

/** The way in to the firewall's web UI and API that a rule set must not cut (sites.yaml `management`). */
export const ManagementPath = Schema.Struct({
  interface: Schema.String,
  address: Schema.optional(Schema.String),
  port: Schema.optional(Schema.Number),
  source: Schema.optional(Schema.String),
  antiLockout: Schema.optional(Schema.Boolean)
})
export type ManagementPath = typeof ManagementPath.Type

/** What is known about one interface: its networks ("lan" in a rule) and own addresses ("lanip"). */
export const InterfaceNet = Schema.Struct({
  /** CIDRs, e.g. ["10.0.0.0/24"] */
  networks: Schema.optional(Schema.Array(Schema.String)),
  /** the firewall's addresses on it, e.g. ["10.0.0.1"] */
  addresses: Schema.optional(Schema.Array(Schema.String))
})
export type InterfaceNet = typeof InterfaceNet.Type

/** Per-site settings from desired-state/sites.yaml (defaults when the file is absent). */
export const SiteConfig = Schema.Struct({
  name: Schema.String,
  /** folder of this site's YAML, relative to DESIRED_STATE_DIR ("." for the single default site) */
  path: Schema.String,
  /** firewall URL; undefined → OPNSENSE_URL, or the embedded sandbox */
  url: Schema.optional(Schema.String),
  /** names of the environment variables holding the credentials (never the values) */
  apiKeyEnv: Schema.optional(Schema.String),
  apiSecretEnv: Schema.optional(Schema.String),
  caFile: Schema.optional(Schema.String),
  /** delete unmanaged objects too (opt-in, default false) */
  pruneUnmanaged: Schema.Boolean,
  /** the management path the lockout guard protects */
  management: Schema.optional(ManagementPath),
  probes: Schema.Array(Probe),
  /** lint code → severity override */
  lint: Schema.Record(Schema.String, Severity),
  /** policy analysis: interface identifier → its networks ("lan" in a rule) and the firewall's addresses on it */
  interfaces: Schema.optional(Schema.Record(Schema.String, InterfaceNet)),
  /** policy analysis: interfaces where pass rules must log (default ["wan"]) */
  sensitiveInterfaces: Schema.optional(Schema.Array(Schema.String))
})
export type SiteConfig = typeof SiteConfig.Type

export const DesiredSite = Schema.Struct({
  config: SiteConfig,
  vlans: Schema.Array(DesiredVlan),
  aliases: Schema.Array(DesiredAlias),
  /** in evaluation order: file order, files in lexical order */
  rules: Schema.Array(DesiredRule),
  /** traffic that must be passed or blocked (`intents:`), checked against rules, not applied */
  intents: Schema.optional(Schema.Array(Intent)),
  /** sha256 of the site's normalised content, part of the planId */
  digest: Schema.String
})
export type DesiredSite = typeof DesiredSite.Type

export const DesiredTree = Schema.Struct({
  root: Schema.String,
  sites: Schema.Array(DesiredSite)
})
export type DesiredTree = typeof DesiredTree.Type

/** One problem found in the desired state. Rendered as `file:line:col: error[code]: message`. */
export const Issue = Schema.Struct({
  file: Schema.String,
  line: Schema.Number,
  column: Schema.Number,
  severity: Severity,
  code: Schema.String,
  message: Schema.String,
  /** the item's name when the problem belongs to one */
  name: Schema.optional(Schema.String),
  kind: Schema.optional(Schema.String),
  hint: Schema.optional(Schema.String)
})
export type Issue = typeof Issue.Type
