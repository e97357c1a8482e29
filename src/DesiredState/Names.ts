/**
 * Name rules OPNsense enforces (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/AliasNameField.php) and the vocabularies values are checked against:
 * alias names and reserved words, protocol names, built-in aliases.
 */
import { wellKnownPorts } from "../Domain/Normalize.ts"

/** Names travel in the ownership marker `[gitops:<name>]`, so every kind's name must fit it. */
export const ITEM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/

export const ALIAS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,30}$/

/** pf keywords OPNsense refuses as alias names (AliasNameField); the common ones of its list. */
export const pfKeywords: ReadonlySet<string> = new Set([
  "all",
  "allow-opts",
  "altq",
  "anchor",
  "antispoof",
  "any",
  "binat",
  "bitmask",
  "block",
  "block-policy",
  "code",
  "debug",
  "divert-packet",
  "divert-reply",
  "divert-to",
  "drop",
  "dup-to",
  "fastroute",
  "file",
  "fingerprints",
  "flags",
  "floating",
  "flush",
  "for",
  "fragment",
  "from",
  "global",
  "group",
  "hostid",
  "icmp-type",
  "icmp6-type",
  "if-bound",
  "in",
  "inet",
  "inet6",
  "keep",
  "label",
  "limit",
  "load",
  "log",
  "loginterface",
  "match",
  "max",
  "max-mss",
  "max-src-conn",
  "max-src-conn-rate",
  "max-src-nodes",
  "max-src-states",
  "min-ttl",
  "modulate",
  "nat",
  "nat-anchor",
  "no",
  "no-df",
  "no-route",
  "no-sync",
  "on",
  "optimization",
  "os",
  "out",
  "overload",
  "pass",
  "port",
  "prio",
  "priority",
  "probability",
  "proto",
  "quick",
  "random",
  "random-id",
  "rdr",
  "rdr-anchor",
  "reassemble",
  "received-on",
  "reply-to",
  "require-order",
  "return",
  "return-icmp",
  "return-icmp6",
  "return-rst",
  "round-robin",
  "route",
  "route-to",
  "rtable",
  "rule",
  "ruleset-optimization",
  "scrub",
  "self",
  "set",
  "set-tos",
  "skip",
  "sloppy",
  "source-hash",
  "source-track",
  "state",
  "state-defaults",
  "state-policy",
  "static-port",
  "sticky-address",
  "synproxy",
  "table",
  "tag",
  "tagged",
  "timeout",
  "to",
  "tos",
  "urpf-failed",
  "user"
])

/** Protocol names a rule accepts (upper case, as /etc/protocols lists them; IPv6 extension headers excluded). */
export const protocols: ReadonlySet<string> = new Set([
  "any",
  "TCP",
  "UDP",
  "TCP/UDP",
  "ICMP",
  "IPV6-ICMP",
  "IGMP",
  "GGP",
  "IPENCAP",
  "ST2",
  "CBT",
  "EGP",
  "IGP",
  "PUP",
  "IDP",
  "RDP",
  "IRTP",
  "ISO-TP4",
  "XTP",
  "DDP",
  "IDPR-CMTP",
  "IPV6",
  "SDRP",
  "IDRP",
  "RSVP",
  "GRE",
  "ESP",
  "AH",
  "MOBILE",
  "SKIP",
  "EIGRP",
  "OSPF",
  "IPIP",
  "ETHERIP",
  "ENCAP",
  "PIM",
  "IPCOMP",
  "VRRP",
  "CARP",
  "L2TP",
  "ISIS",
  "SCTP",
  "FC",
  "MPLS-IN-IP",
  "MANET",
  "HIP",
  "SHIM6",
  "WESP",
  "ROHC",
  "PFSYNC",
  "UDPLITE",
  "DIVERT",
  "PTP",
  "STP"
])

/**
 * Always present on the firewall (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Firewall/static_aliases/core.json); rules may name them, the desired state may not define them. */
export const builtinAliases: ReadonlySet<string> = new Set(["bogons", "bogonsv6", "virusprot", "sshlockout"])

export const isBuiltinAlias = (name: string): boolean => builtinAliases.has(name) || /^__[a-z0-9_]+_network$/.test(name)

/** Why `name` is not a valid alias name, or undefined when it is. */
export const aliasNameProblem = (name: string): { readonly message: string; readonly hint: string } | undefined => {
  if (!ALIAS_NAME.test(name) || name === "_") {
    return {
      message:
        `alias name "${name}" must start with a letter or a single underscore, be at most 31 characters and use only letters, digits and _`,
      hint: "rename it, e.g. office_hosts"
    }
  }
  if (name.startsWith("__")) {
    return {
      message: `alias names starting with "__" are reserved for OPNsense's internal aliases`,
      hint: "drop one leading underscore"
    }
  }
  const lower = name.toLowerCase()
  if (pfKeywords.has(lower)) {
    return {
      message: `"${name}" is a reserved pf keyword and cannot name an alias`,
      hint: `add a suffix, e.g. ${name}_hosts`
    }
  }
  if (wellKnownPorts[lower] !== undefined || protocols.has(name.toUpperCase())) {
    return {
      message: `"${name}" is a reserved protocol or service name and cannot name an alias`,
      hint: `add a suffix, e.g. ${name}_ports`
    }
  }
  if (isBuiltinAlias(name)) {
    return {
      message: `"${name}" is a built-in alias of OPNsense`,
      hint: "use the built-in alias directly, or choose another name"
    }
  }
  return undefined
}
