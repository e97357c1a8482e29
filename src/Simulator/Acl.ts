/**
 * ACL privileges → URL patterns (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/<Module>/ACL/ACL.xml; the NAT ones are the same at 25.7 and 26.1.5). Patterns are matched case-sensitively
 * against the raw URI, so a camelCase call can be refused where the snake_case one passes.
 */
import type { ApiKey } from "./State.ts"

export const PRIVILEGES: Readonly<Record<string, ReadonlyArray<string>>> = {
  "page-interfaces-vlan-edit": ["api/interfaces/vlan_settings/*"],
  // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Core/ACL/ACL.xml (26.1: interfaces_assign.php only)
  "page-interfaces-assignnetworkports": ["api/interfaces/assignment/*"],
  "page-filter-api": ["api/firewall/filter/*"],
  // "Firewall: Automation: Source NAT" (25.7), "Firewall: NAT: Source NAT" (26.1+)
  "page-filter-snat-api": ["api/firewall/source_nat/*"],
  // "Firewall: NAT: 1:1" (25.7, 26.1, 26.7)
  "page-firewall-nat-1-1-edit": ["api/firewall/one_to_one/*"],
  "page-firewall-nat-portforward-edit": ["api/firewall/d_nat/*", "api/firewall/category/search_item*"],
  "page-firewall-alias-edit": ["api/firewall/alias/*"],
  "page-firewall-aliases": [
    "api/firewall/alias/export*",
    "api/firewall/alias/search*",
    "api/firewall/alias/list*",
    "api/firewall/alias/get*"
  ],
  "page-firewall-categories": ["api/firewall/category/*"],
  "page-system-status": ["api/core/system/status*", "api/core/system/dismiss_status"],
  "page-diagnostics-configurationhistory": ["api/core/backup/*"],
  // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Core/ACL/ACL.xml (also 25.7, 26.1)
  "page-system-firmware-manualupdate": ["api/core/firmware/*"],
  "page-interfaces-overview": ["api/interfaces/overview/*"],
  // "Services: DHCP: Kea(v4)", opnsense/core 26.7.2 (and 26.1.5): src/opnsense/mvc/app/models/OPNsense/Kea/ACL/ACL.xml
  "page-dhcp-kea-v4": ["api/kea/dhcpv4/*", "api/kea/leases4/*", "api/kea/service/*"],
  "page-dhcp-kea-v6": ["api/kea/dhcpv6/*", "api/kea/leases6/*", "api/kea/service/*"],
  // opnsense/core 25.7, 26.1.5 and 26.7.2: src/opnsense/mvc/app/models/OPNsense/Unbound/ACL/ACL.xml. A
  // pattern ending in "/*" matches the flat URL too (src/opnsense/mvc/app/models/OPNsense/Core/ACL.php
  // urlMatch); query forwarding and service/reconfigure are only under "Services: Unbound"
  "page-services-dnsresolver-overrides": [
    "host_override",
    "host_alias",
    "domain_override"
  ].flatMap((noun) =>
    ["search", "get", "set", "add", "del", "toggle"].flatMap((verb) => [
      `api/unbound/settings/${verb}_${noun}`,
      `api/unbound/settings/${verb}_${noun}/*`
    ])
  ),
  "page-services-unbound": ["api/unbound/*"],
  // "System: Gateways", "System: Static Routes" (opnsense/core 25.7, 26.1.5, 26.7.2:
  // src/opnsense/mvc/app/models/OPNsense/Core/ACL/ACL.xml)
  "page-system-gateways": ["api/routing/settings/*", "api/routes/gateway/status"],
  "page-system-staticroutes": ["api/routes/*"]
}

const compiled = new Map<string, RegExp>()
const regex = (pattern: string): RegExp => {
  let re = compiled.get(pattern)
  if (re === undefined) {
    re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`)
    compiled.set(pattern, re)
  }
  return re
}

export const allowed = (key: ApiKey, uri: string): boolean => {
  if (key.privileges.includes("page-all")) return true
  const path = uri.replace(/^\//, "")
  return key.privileges.some((p) => (PRIVILEGES[p] ?? []).some((pattern) => regex(pattern).test(path)))
}
