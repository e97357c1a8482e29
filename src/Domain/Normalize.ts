/**
 * Value-level normalisers shared by both sides of every diff: the desired-state loader uses them
 * on what people write, the OPNsense adapters use them on what the API returns. Each returns the
 * canonical form documented in Model.ts, so two spellings of one value compare equal.
 */

/**
 * The service names OPNsense's PortField knows, with the numbers it gives them (opnsense/core
 * 26.1.5 and 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/PortField.php
 * `$wellknownservices`; 25.7 to 26.1.4 list the same names but ipsec-nat-t, and the firewall
 * resolves them from its /etc/services). A live rule may hold one of these names.
 */
const portFieldServices: Readonly<Record<string, number>> = {
  "afs3-fileserver": 7000,
  "aol": 5190,
  "auth": 113,
  "avt-profile-1": 5004,
  "cvsup": 5999,
  "domain": 53,
  "ftp": 21,
  "hbci": 3000,
  "http": 80,
  "https": 443,
  "igmpv3lite": 465,
  "imap": 143,
  "imaps": 993,
  "ipsec-msft": 10000,
  "ipsec-nat-t": 4500,
  "isakmp": 500,
  "l2f": 1701,
  "ldap": 389,
  "microsoft-ds": 445,
  "ms-streaming": 1755,
  "ms-wbt-server": 3389,
  "msnp": 1863,
  "nat-stun-port": 3478,
  "netbios-dgm": 138,
  "netbios-ns": 137,
  "netbios-ssn": 139,
  "nntp": 119,
  "ntp": 123,
  "openvpn": 1194,
  "pop3": 110,
  "pop3s": 995,
  "pptp": 1723,
  "radius": 1812,
  "radius-acct": 1813,
  "rfb": 5900,
  "sip": 5060,
  "smtp": 25,
  "snmp": 161,
  "snmptrap": 162,
  "ssh": 22,
  "submission": 587,
  "telnet": 23,
  "teredo": 3544,
  "tftp": 69,
  "urd": 465,
  "wins": 1512
}

/**
 * Further service names the desired state accepts (IANA numbers), sent to the firewall as numbers
 * because PortField refuses them.
 */
const moreServices: Readonly<Record<string, number>> = {
  "afpovertcp": 548,
  "bootpc": 68,
  "bootps": 67,
  "mdns": 5353,
  "rdp": 3389,
  "rtsp": 554,
  "smtps": 465,
  "stun": 3478,
  "syslog": 514
}

/** Every service name a port may be written as (lower-case), with its number. */
export const wellKnownPorts: Readonly<Record<string, number>> = { ...moreServices, ...portFieldServices }

/** Sorted, de-duplicated copy: the canonical form of every set-valued field. */
export const sortedSet = (values: Iterable<string>): ReadonlyArray<string> => {
  // most sets are one or two interfaces or addresses, taken 10,000 times per plan: no Set and no
  // copies for them, a Set once a list is long enough for `includes` to cost
  const out: Array<string> = []
  let seen: Set<string> | undefined
  for (const raw of values) {
    const value = raw.trim()
    if (value === "") continue
    if (seen !== undefined) {
      if (seen.has(value)) continue
      seen.add(value)
    } else if (out.includes(value)) continue
    else if (out.length === 16) seen = new Set(out).add(value)
    out.push(value)
  }
  return out.length > 1 ? out.sort() : out
}

/** Split a comma-separated wire value ("lan,opt1") into its canonical set. */
export const commaSet = (value: string): ReadonlyArray<string> => sortedSet(value.split(","))

/** Split a newline-separated wire value (alias content) into its canonical set. */
export const lineSet = (value: string): ReadonlyArray<string> => sortedSet(value.split("\n"))

/** "1"/"0"/""/true/false/1/0 → boolean; anything else is undefined (not a boolean). */
export const toBoolean = (value: unknown): boolean | undefined => {
  if (value === true || value === 1 || value === "1" || value === "true" || value === "yes") return true
  if (value === false || value === 0 || value === "0" || value === "" || value === "false" || value === "no") {
    return false
  }
  return undefined
}

const PORT = /^\d{1,5}$/
const RANGE = /^(\d{1,5})\s*[-:]\s*(\d{1,5})$/

const validPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535

export type PortResult =
  | { readonly _tag: "Port"; readonly value: string }
  | { readonly _tag: "Alias"; readonly value: string }
  | { readonly _tag: "Invalid"; readonly reason: string }

/**
 * Canonical port: "" (any), "443", "8000-8080" (rule syntax; alias syntax "a:b" is accepted too),
 * well-known names resolved to their number, or an alias name (left as written).
 */
export const normalizePort = (input: string | number | undefined | null): PortResult => {
  if (input === undefined || input === null) return { _tag: "Port", value: "" }
  const raw = String(input).trim()
  const lower = raw.toLowerCase()
  if (lower === "" || lower === "any") return { _tag: "Port", value: "" }
  if (PORT.test(raw)) {
    const n = Number(raw)
    return validPort(n)
      ? { _tag: "Port", value: String(n) }
      : { _tag: "Invalid", reason: `port ${raw} is outside 1-65535` }
  }
  const range = RANGE.exec(raw)
  if (range !== null) {
    const from = Number(range[1])
    const to = Number(range[2])
    if (!validPort(from) || !validPort(to)) return { _tag: "Invalid", reason: `port range ${raw} is outside 1-65535` }
    if (from === to) return { _tag: "Port", value: String(from) }
    if (from > to) return { _tag: "Invalid", reason: `port range ${raw} starts after it ends` }
    return { _tag: "Port", value: `${from}-${to}` }
  }
  const known = wellKnownPorts[lower]
  if (known !== undefined) return { _tag: "Port", value: String(known) }
  if (/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(raw)) return { _tag: "Alias", value: raw }
  return { _tag: "Invalid", reason: `"${raw}" is not a port, a port range, a service name or an alias name` }
}

/** Protocols whose rules may carry ports. */
export const portProtocols: ReadonlySet<string> = new Set(["TCP", "UDP", "TCP/UDP"])

const PROTOCOL_ALIASES: Readonly<Record<string, string>> = {
  "TCPUDP": "TCP/UDP",
  "TCP+UDP": "TCP/UDP",
  "UDP/TCP": "TCP/UDP",
  "ICMPV6": "IPV6-ICMP",
  "ICMP6": "IPV6-ICMP"
}

/** Canonical protocol: "any", or the upper-case name OPNsense stores ("TCP", "TCP/UDP", "IPV6-ICMP"). */
export const normalizeProtocol = (input: string | undefined | null): string => {
  const raw = (input ?? "").trim()
  if (raw === "" || raw.toLowerCase() === "any") return "any"
  const upper = raw.toUpperCase()
  return PROTOCOL_ALIASES[upper] ?? upper
}

/**
 * Canonical address list for a rule endpoint: [] for any, otherwise sorted entries with CIDRs
 * of single hosts reduced to the host ("10.0.0.1/32" → "10.0.0.1").
 */
export const normalizeAddresses = (values: ReadonlyArray<string>): ReadonlyArray<string> => {
  const cleaned = values.map((v) => v.trim()).filter((v) => v !== "" && v.toLowerCase() !== "any")
  return sortedSet(
    cleaned.map((v) => {
      if (v.endsWith("/32") && !v.includes(":")) return v.slice(0, -3)
      if (v.endsWith("/128") && v.includes(":")) return v.slice(0, -4).toLowerCase()
      return v.includes(":") && /^[0-9A-Fa-f:./]+$/.test(v) ? v.toLowerCase() : v
    })
  )
}
