/**
 * Version detection (core/firmware/status) and what each version can do, each gate read from
 * opnsense/core at the tag it names (docs/client.md "Version matrix" lists them). Detected once
 * per site; every adapter asks `capabilities` instead of comparing version numbers itself.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { FirmwareVersion } from "../Domain/Model.ts"
import type { RuleSpec } from "../Kinds/Rule/Spec.ts"

const Product = Schema.Struct({
  product_version: Schema.optional(Schema.String),
  product_abi: Schema.optional(Schema.String),
  product_series: Schema.optional(Schema.String),
  CORE_VERSION: Schema.optional(Schema.String)
})

/** Only what version detection needs; the real body is a large flat object (fixtures core/firmware_status*). */
export const FirmwareStatus = Schema.Struct({
  product_version: Schema.optional(Schema.String),
  product: Schema.optional(Product)
})
export type FirmwareStatus = typeof FirmwareStatus.Type

const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?/

/** "26.1.5_2" → { 26, 1, 5 }; "24.1" → { 24, 1, 0 } */
export const parseVersion = (raw: string): Option.Option<FirmwareVersion> => {
  const match = VERSION.exec(raw.trim())
  if (match === null) return Option.none()
  return Option.some({
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    raw: raw.trim()
  })
}

/**
 * The product version from a firmware status body. `product.product_version` is always there on a
 * sane box; the top-level one only after an update check; very old or odd bodies (24.1 with no
 * check run) carry only `product_abi`, which gives major.minor with patch 0.
 */
export const versionFromStatus = (status: FirmwareStatus): Option.Option<FirmwareVersion> => {
  const candidates = [
    status.product?.product_version,
    status.product_version,
    status.product?.CORE_VERSION,
    status.product?.product_series,
    status.product?.product_abi
  ]
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === "") continue
    const parsed = parseVersion(candidate)
    if (Option.isSome(parsed)) return parsed
  }
  return Option.none()
}

export const compare = (
  v: Pick<FirmwareVersion, "major" | "minor" | "patch">,
  major: number,
  minor: number,
  patch = 0
): number => v.major !== major ? v.major - major : v.minor !== minor ? v.minor - minor : v.patch - patch

export const atLeast = (v: FirmwareVersion, major: number, minor: number, patch = 0): boolean =>
  compare(v, major, minor, patch) >= 0

/** How rules are listed in bulk: one request either way. */
export type RuleListing =
  /** POST search_rule rowCount=-1 without interface: all MVC rules, raw values (26.1.1+) */
  | "search"
  /** GET firewall/filter/get: whole model, option maps (all versions; needed where search hides rules) */
  | "model"

/**
 * A rule field value the filter model of some versions lacks, named as the user writes it.
 * opnsense/core 24.7: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.xml has no
 * `interfacenot`, direction in/out only, ipprotocol inet/inet6 only, source_net/destination_net
 * without `<Multiple>`, and a ProtocolField without the `TCP/UDP` AddOption; 25.7's has all but
 * direction `any`, which 26.1 adds.
 */
export type RuleFeature = "interface_invert" | "direction any" | "ipv4+ipv6" | "address lists" | "tcp/udp"

export const ruleFeatureText: Readonly<Record<RuleFeature, string>> = {
  "interface_invert": "no interfacenot (interface_invert)",
  "direction any": "no direction \"any\" (in and out only)",
  "ipv4+ipv6": "no ipprotocol inet46 (ipv4+ipv6)",
  "address lists": "single-valued source and destination nets (no lists)",
  "tcp/udp": "no TCP/UDP protocol"
}

export interface Capabilities {
  /** search rows carry raw values (+ `%` twins) instead of labels: 25.7+ */
  readonly rawSearchRows: boolean
  readonly ruleListing: RuleListing
  /** search_rule also returns legacy/automatic rows (26.1.10+, 26.7) */
  readonly searchIncludesLegacy: boolean
  /** filter savepoint/apply(rev)/cancel_rollback/revert: ≤26.1 only (and unreliable) */
  readonly savepoint: boolean
  /**
   * firewall/filter/upload_rules and download_rules: 26.1+ (opnsense/core 26.1:
   * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php uploadRulesAction; rows
   * keep an offered `@uuid` from 26.1: Base/FieldTypes/ArrayField.php importRecordSet `add($uuid)`)
   */
  readonly uploadRules: boolean
  /** highest rule sequence the model accepts: 99999 before 25.7, 999999 after */
  readonly maxSequence: number
  /**
   * del_rule takes a comma list of uuids, one save: 26.1.3+ (opnsense/core 26.1.3:
   * src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php delBase explodes
   * its argument, and Firewall/Api/FilterController.php delRuleAction hands its uuid to it)
   */
  readonly ruleDeleteLists: boolean
  /**
   * firewall/alias/import: aliases by name (new or existing), validated together, saved once or not
   * at all; the reply has no uuids (opnsense/core 24.7–26.7.2: Firewall/Api/AliasController.php importAction)
   */
  readonly aliasImport: boolean
  /** this client writes to the firewall: 25.7 and later (older ones are read-only) */
  readonly writes: boolean
  /** rule values this version's filter model cannot hold */
  readonly missingRuleFeatures: ReadonlyArray<RuleFeature>
  /** firewall/filter/get_interface_list (every config interface, groups too): 25.7+ */
  readonly interfaceList: boolean
  /**
   * interfaces/assignment (assign devices to interfaces): 26.7+ (opnsense/core 26.7:
   * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/AssignmentController.php; absent at
   * 26.1.11, where only the legacy page src/www/interfaces_assign.php assigns)
   */
  readonly assignments: boolean
}

export const capabilities = (v: FirmwareVersion): Capabilities => ({
  // opnsense/core 25.7: src/opnsense/mvc/app/library/OPNsense/Base/UIModelGrid.php fetch uses
  // getNodeContent (raw values, `%` twins); 24.7 puts getDescription (labels) in the row
  rawSearchRows: atLeast(v, 25, 7),
  // opnsense/core 26.1.1: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php
  // searchRuleAction: no `interface` parameter means every rule; at 25.7 and 26.1 only rules with
  // other than one interface, so the whole model is read there
  ruleListing: atLeast(v, 26, 1, 1) ? "search" : "model",
  // opnsense/core 26.1.10: FilterController.php searchRuleAction mixes in legacy rows without show_all
  searchIncludesLegacy: atLeast(v, 26, 1, 10),
  // opnsense/core 26.1.11: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php
  // savepointAction (gone at 26.7)
  savepoint: !atLeast(v, 26, 7),
  // opnsense/core 26.1: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php
  // uploadRulesAction (absent at 25.7.11)
  uploadRules: atLeast(v, 26, 1),
  // opnsense/core 25.7: Filter.xml sequence MaximumValue 999999 (24.7: 99999)
  maxSequence: atLeast(v, 25, 7) ? 999_999 : 99_999,
  ruleDeleteLists: atLeast(v, 26, 1, 3),
  aliasImport: atLeast(v, 24, 7),
  writes: atLeast(v, 25, 7),
  missingRuleFeatures: atLeast(v, 26, 1)
    ? []
    : atLeast(v, 25, 7)
    // opnsense/core 25.7: Filter.xml direction OptionValues in, out (26.1 adds <any>Both</any>)
    ? ["direction any"]
    : ["interface_invert", "direction any", "ipv4+ipv6", "address lists", "tcp/udp"],
  interfaceList: atLeast(v, 25, 7),
  assignments: atLeast(v, 26, 7)
})

/** The rule features a spec uses (only those some version lacks). */
export const ruleFeaturesOf = (spec: RuleSpec): ReadonlyArray<RuleFeature> => {
  const used: Array<RuleFeature> = []
  if (spec.interfaceInvert) used.push("interface_invert")
  if (spec.direction === "any") used.push("direction any")
  if (spec.ipVersion === "inet46") used.push("ipv4+ipv6")
  if (spec.source.addresses.length > 1 || spec.destination.addresses.length > 1) used.push("address lists")
  if (spec.protocol === "TCP/UDP") used.push("tcp/udp")
  return used
}

/** Versions this client was written and tested against (writes need `capabilities(v).writes`). */
export const supported = (v: FirmwareVersion): boolean => atLeast(v, 24, 7) && !atLeast(v, 27, 1)
