/**
 * The loaded desired state: what the YAML under DESIRED_STATE_DIR declares, already normalised to
 * the canonical specs of Model.ts, with the source position of every item kept so that plan,
 * apply and lint errors can point at the YAML line.
 */
import * as Schema from "effect/Schema"
import type { AliasSpec } from "../Kinds/Alias/Spec.ts"
import type { DesiredItem } from "../Kinds/Kind.ts"
import type { DesiredCollections } from "../Kinds/Registry.ts"
import type { RuleSpec } from "../Kinds/Rule/Spec.ts"
import type { VlanSpec } from "../Kinds/Vlan/Spec.ts"
import type { Intent } from "./Intent.ts"

export type DesiredVlan = DesiredItem<VlanSpec>
export type DesiredAlias = DesiredItem<AliasSpec>
export type DesiredRule = DesiredItem<RuleSpec>

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
  sensitiveInterfaces: Schema.optional(Schema.Array(Schema.String)),
  /** the outbound NAT mode the firewall should have (config nat/outbound/mode); undefined = left as it is */
  outboundNatMode: Schema.optional(Schema.Literals(["automatic", "hybrid", "advanced", "disabled"]))
})
export type SiteConfig = typeof SiteConfig.Type

/**
 * One site as loaded: its settings, its items per kind (`site.rules` in evaluation order: file
 * order, files in lexical order; see src/Kinds/Registry.ts) and the digest of what it means.
 */
export type DesiredSite =
  & {
    readonly config: SiteConfig
    /** traffic that must be passed or blocked (`intents:`), checked against rules, not applied */
    readonly intents?: ReadonlyArray<Intent> | undefined
    /** sha256 of the site's normalised content, part of the planId */
    readonly digest: string
  }
  & DesiredCollections

export interface DesiredTree {
  readonly root: string
  readonly sites: ReadonlyArray<DesiredSite>
}

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
