/**
 * What differs between the emulated releases in controller behaviour. Everything version-dependent
 * in the simulator reads one of these flags instead of comparing version strings; field definitions
 * (options, labels, fields that exist) differ by the generated model of the release (Generated.ts,
 * picked by `full`).
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
  /**
   * delBase and toggleBase take a comma list of uuids (opnsense/core 26.1.3+:
   * src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php delBase, toggleBase)
   */
  readonly deleteLists: boolean
  /**
   * AliasController and VlanSettingsController delItemAction run their in-use checks per uuid of a
   * list (opnsense/core 26.1.9+: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/AliasController.php,
   * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/VlanSettingsController.php); before,
   * they look the whole list up as one uuid, find nothing and check nothing
   */
  readonly controllerDeleteLists: boolean
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
  /** fallback for hand-written description fields: DescriptionField refuses newlines/control characters (26.7+) */
  readonly descriptionExtraMessages: boolean
  /** filter model `general` node (26.7+) */
  readonly filterGeneral: boolean
  /**
   * upload_rules/download_rules through FilterBaseController uploadRulesBase/downloadRulesBase:
   * `overload` by alias name, sort_order/prio_group ignored (opnsense/core 26.1.11 and 26.7:
   * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php uploadRulesAction)
   */
  readonly uploadRulesBase: boolean
  /**
   * How search_rule translates legacy/automatic rows besides interface and category (which it
   * always turns into descriptions): "values" rewrites action and ipprotocol in place (26.1–26.1.8),
   * "twins" fills `%action`, `%direction`, `%ipprotocol` and leaves the values raw (26.1.9+).
   * opnsense/core 26.1.5 and 26.1.9: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterController.php getLegacyFieldMap
   */
  readonly legacyFieldMap: "values" | "twins"
  /**
   * `interfaces/assignment/*` exists (opnsense/core 26.7, 26.7.1, 26.7.2:
   * src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/AssignmentController.php; absent at
   * 25.7 and every 26.1.x, where assignments are the legacy page src/www/interfaces_assign.php)
   */
  readonly assignmentApi: boolean
  /**
   * The reworked NAT controllers as 26.7.2 has them. From 26.1.11: Filter.xml `general.snat_mode`
   * (the outbound NAT mode, kept in config `nat/outbound/mode`), source_nat `search_rule` listing
   * by that mode with synthetic automatic rows (searchRecordsetBase), computed `sort_order`/`prio_group`,
   * "Target address cannot be any."; from 26.7: `source_nat/get` and `source_nat/set` for it
   * (26.1.11 has only `set_general`), `get_rule?fetchmode=copy` on source_nat and one_to_one; from
   * 26.7.2: `endpoint-independent`. opnsense/core 26.1.11, 26.7 and 26.7.2:
   * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/SourceNatController.php, OneToOneController.php,
   * src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.xml, Filter.php
   */
  readonly natRework: boolean
  /**
   * kea/dhcpv4 del_* refuses an item another item names (`$internalModelUseSafeDelete`, opnsense/core
   * 26.1.8 to 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Kea/Api/Dhcpv4Controller.php; absent
   * at 26.1.5, where a subnet is deleted under its reservations)
   */
  readonly keaSafeDelete: boolean
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
    controllerDeleteLists: true,
    savepoint: false,
    errorLevel: true,
    arrayThrows: true,
    searchMixesLegacy: true,
    aliasGetUnknown: "content",
    descriptionExtraMessages: true,
    filterGeneral: true,
    uploadRulesBase: true,
    legacyFieldMap: "twins",
    assignmentApi: true,
    natRework: true,
    keaSafeDelete: true
  },
  "26.1": {
    series: "26.1",
    full: "26.1.5",
    nickname: "Witty Woodpecker",
    osVersion: "FreeBSD 14.3-RELEASE-p9",
    commit: "c102de293",
    twinsInGet: false,
    deleteLists: true,
    controllerDeleteLists: false,
    savepoint: true,
    errorLevel: false,
    arrayThrows: false,
    searchMixesLegacy: false,
    aliasGetUnknown: "error",
    descriptionExtraMessages: false,
    filterGeneral: false,
    uploadRulesBase: false,
    legacyFieldMap: "values",
    assignmentApi: false,
    natRework: false,
    keaSafeDelete: false
  }
}
