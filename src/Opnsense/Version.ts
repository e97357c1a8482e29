/**
 * Version detection (core/firmware/status, REFERENCE §10.3) and what each version can do
 * (REFERENCE §13). Detected once per site; every adapter asks `capabilities` instead of comparing
 * version numbers itself.
 */
import { Option, Schema } from "effect"
import type { FirmwareVersion } from "../Domain/Model.ts"

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

/** How rules are listed in bulk: one request either way (REFERENCE §7.3). */
export type RuleListing =
  /** POST search_rule rowCount=-1 without interface: all MVC rules, raw values (26.1.1+) */
  | "search"
  /** GET firewall/filter/get: whole model, option maps (all versions; needed where search hides rules) */
  | "model"

export interface Capabilities {
  /** search rows carry raw values (+ `%` twins) instead of labels: 25.7+ */
  readonly rawSearchRows: boolean
  readonly ruleListing: RuleListing
  /** search_rule also returns legacy/automatic rows (26.1.10+, 26.7) */
  readonly searchIncludesLegacy: boolean
  /** filter savepoint/apply(rev)/cancel_rollback/revert: ≤26.1 only (and unreliable) */
  readonly savepoint: boolean
  /** firewall/filter/upload_rules and download_rules: 26.1+ */
  readonly uploadRules: boolean
  /** highest rule sequence the model accepts: 99999 before 25.7, 999999 after */
  readonly maxSequence: number
  /** del_item/del_rule accept comma lists: 26.7+ */
  readonly bulkDelete: boolean
  /** firewall/filter/get_interface_list (every config interface, groups too): 25.7+ */
  readonly interfaceList: boolean
}

export const capabilities = (v: FirmwareVersion): Capabilities => ({
  rawSearchRows: atLeast(v, 25, 7),
  // 25.7 and 26.1.0 search without interface returns only floating rules: use the model there.
  ruleListing: atLeast(v, 26, 1, 1) ? "search" : "model",
  searchIncludesLegacy: atLeast(v, 26, 1, 10),
  savepoint: !atLeast(v, 26, 7),
  uploadRules: atLeast(v, 26, 1),
  maxSequence: atLeast(v, 25, 7) ? 999_999 : 99_999,
  bulkDelete: atLeast(v, 26, 7),
  interfaceList: atLeast(v, 25, 7)
})

/** Versions this client was written and tested against. */
export const supported = (v: FirmwareVersion): boolean => atLeast(v, 24, 7) && !atLeast(v, 27, 1)
