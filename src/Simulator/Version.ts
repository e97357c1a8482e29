/**
 * What differs between the emulated releases (REFERENCE §13). Everything version-dependent in the
 * simulator reads one of these flags instead of comparing version strings.
 */
export type Series = "26.7" | "26.1"

export interface VersionProfile {
  readonly series: Series
  /** product_version reported by core/firmware/status, e.g. "26.7.5" */
  readonly full: string
  readonly nickname: string
  readonly osVersion: string
  readonly commit: string
  /** `%field` twins in get_item/get_rule (26.7+, §5.2) */
  readonly twinsInGet: boolean
  /** del_item/del_rule accept a comma list of uuids (26.7+, §5.5) */
  readonly deleteLists: boolean
  /** savepoint, apply/{rev}, cancel_rollback, revert exist (≤26.1, §7.5) */
  readonly savepoint: boolean
  /** UserException bodies carry errorLevel (26.7.2+, §4) */
  readonly errorLevel: boolean
  /** a JSON array for a scalar field throws (26.7) instead of becoming "Array" (≤26.1), §3.3 */
  readonly arrayThrows: boolean
  /**
   * search_rule always mixes in legacy and automatic rows (26.1.10+ and 26.7; before, only with
   * show_all). opnsense/core 26.1.10: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php searchRuleAction
   */
  readonly searchMixesLegacy: boolean
  /** alias get_item with an unknown uuid: 500 (≤26.1.10) or a content-only wrapper (26.1.11+, §8.1) */
  readonly aliasGetUnknown: "error" | "content"
  /** VLAN proto labels: "Auto"/"802.1Q" (≤26.1) or "Automatic"/"802.1q" (26.7), §6.2 */
  readonly vlanProtoAuto: string
  readonly vlanProto8021q: string
  /** DescriptionField also rejects newlines/control characters with extra messages (26.7+, §5.8) */
  readonly descriptionExtraMessages: boolean
  /** filter rule fields max-pkt-rate-number / -seconds (26.7.2+) */
  readonly maxPktRate: boolean
  /** filter model `general` node (26.7+) */
  readonly filterGeneral: boolean
  /**
   * How search_rule translates legacy/automatic rows besides interface and category (which it
   * always turns into descriptions): "values" rewrites action and ipprotocol in place (26.1–26.1.8),
   * "twins" fills `%action`, `%direction`, `%ipprotocol` and leaves the values raw (26.1.9+).
   * opnsense/core 26.1.5 and 26.1.9: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php getLegacyFieldMap
   */
  readonly legacyFieldMap: "values" | "twins"
}

export const profiles: Readonly<Record<Series, VersionProfile>> = {
  "26.7": {
    series: "26.7",
    full: "26.7.5",
    nickname: "Xenial Xenops",
    osVersion: "FreeBSD 15.1-RELEASE-p3",
    commit: "791286d4d",
    twinsInGet: true,
    deleteLists: true,
    savepoint: false,
    errorLevel: true,
    arrayThrows: true,
    searchMixesLegacy: true,
    aliasGetUnknown: "content",
    vlanProtoAuto: "Automatic",
    vlanProto8021q: "802.1q",
    descriptionExtraMessages: true,
    maxPktRate: true,
    filterGeneral: true,
    legacyFieldMap: "twins"
  },
  "26.1": {
    series: "26.1",
    full: "26.1.5",
    nickname: "Witty Woodpecker",
    osVersion: "FreeBSD 14.3-RELEASE-p9",
    commit: "c102de293",
    twinsInGet: false,
    deleteLists: false,
    savepoint: true,
    errorLevel: false,
    arrayThrows: false,
    searchMixesLegacy: false,
    aliasGetUnknown: "error",
    vlanProtoAuto: "Auto",
    vlanProto8021q: "802.1Q",
    descriptionExtraMessages: false,
    maxPktRate: false,
    filterGeneral: false,
    legacyFieldMap: "values"
  }
}
