/**
 * Address and port syntax the models check: literal addresses, CIDRs, ranges, ports and the
 * well-known service names of PortField.
 */
import { isIPv4, isIPv6 } from "node:net"

export type Family = "inet" | "inet6"

export const addressFamily = (value: string): Family | undefined => {
  const [addr, mask, ...rest] = value.split("/")
  if (addr === undefined || rest.length > 0) return undefined
  if (isIPv4(addr)) {
    if (mask !== undefined && !(/^\d{1,2}$/.test(mask) && Number(mask) <= 32)) return undefined
    return "inet"
  }
  if (isIPv6(addr)) {
    if (mask !== undefined && !(/^\d{1,3}$/.test(mask) && Number(mask) <= 128)) return undefined
    return "inet6"
  }
  return undefined
}

export const isAddress = (value: string): boolean => isIPv4(value) || isIPv6(value)
export const isAddressOrCidr = (value: string): boolean => addressFamily(value) !== undefined

export const isAddressRange = (value: string): boolean => {
  const [a, b, ...rest] = value.split("-")
  return rest.length === 0 && a !== undefined && b !== undefined &&
    ((isIPv4(a) && isIPv4(b)) || (isIPv6(a) && isIPv6(b)))
}

export const isHostname = (value: string): boolean =>
  value.length <= 253 &&
  /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/
    .test(value)

export const isPortNumber = (value: string): boolean =>
  /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535

/**
 * PortField's well-known names, in its order (opnsense/core 26.1.5 and 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/PortField.php $wellknownservices). The first,
 * `afs3-fileserver`, is listed (and named in the validation message) but never accepted: the option
 * list is built from `['any'] + array_keys(...)`, whose key 0 keeps `any`.
 */
export const WELL_KNOWN_PORTS: ReadonlyArray<string> = [
  "afs3-fileserver",
  "aol",
  "auth",
  "avt-profile-1",
  "cvsup",
  "domain",
  "ftp",
  "hbci",
  "http",
  "https",
  "igmpv3lite",
  "imap",
  "imaps",
  "ipsec-msft",
  "ipsec-nat-t",
  "isakmp",
  "l2f",
  "ldap",
  "microsoft-ds",
  "ms-streaming",
  "ms-wbt-server",
  "msnp",
  "nat-stun-port",
  "netbios-dgm",
  "netbios-ns",
  "netbios-ssn",
  "nntp",
  "ntp",
  "openvpn",
  "pop3",
  "pop3s",
  "pptp",
  "radius",
  "radius-acct",
  "rfb",
  "sip",
  "smtp",
  "snmp",
  "snmptrap",
  "ssh",
  "submission",
  "telnet",
  "teredo",
  "tftp",
  "urd",
  "wins"
]
const ACCEPTED_PORT_NAMES = new Set(WELL_KNOWN_PORTS.filter((n) => n !== "afs3-fileserver"))

/** Port names known to the system (for alias `port` content and reserved alias names). */
export const SERVICE_NAMES: ReadonlySet<string> = new Set([
  ...WELL_KNOWN_PORTS,
  "bgp",
  "kerberos",
  "ldaps",
  "mdns",
  "smtps",
  "dns",
  "www",
  "ipp",
  "syslog",
  "snmp",
  "sftp",
  "rdp"
])

/** A rule/NAT PortField value other than an alias: number, `a-b` range, `any`, or a well-known name. */
export const isRulePort = (value: string, allowRange = true): boolean => {
  const v = value.toLowerCase()
  if (v === "any" || isPortNumber(v) || ACCEPTED_PORT_NAMES.has(v)) return true
  if (!allowRange) return false
  const [a, b, ...rest] = v.split("-")
  return rest.length === 0 && a !== undefined && b !== undefined && isPortNumber(a) && isPortNumber(b) &&
    Number(a) < Number(b)
}
