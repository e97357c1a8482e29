/**
 * Option lists of the filter rule model (REFERENCE §7.4), taken from the recorded 26.1.5 template
 * (fixture firewall/filter_getRule-nouuid) so labels match a real box.
 */
import type { Opt } from "./Fields.ts"

/** /etc/protocols names upper-cased, after `any`, `TCP`, `UDP`, `TCP/UDP` (ProtocolField). */
export const PROTOCOLS: ReadonlyArray<string> = [
  "ICMP",
  "ESP",
  "AH",
  "GRE",
  "IGMP",
  "PIM",
  "OSPF",
  "3PC",
  "A/N",
  "ARGUS",
  "ARIS",
  "AX.25",
  "BBN-RCC",
  "BNA",
  "BR-SAT-MON",
  "CARP",
  "CBT",
  "CFTP",
  "CHAOS",
  "COMPAQ-PEER",
  "CPHB",
  "CPNX",
  "CRTP",
  "CRUDP",
  "DCCP",
  "DCN",
  "DDP",
  "DDX",
  "DGP",
  "DIVERT",
  "DSR",
  "EGP",
  "EIGRP",
  "EMCON",
  "ENCAP",
  "ETHERIP",
  "FC",
  "GGP",
  "GMTP",
  "HIP",
  "HMP",
  "I-NLSP",
  "IATP",
  "IDPR",
  "IDPR-CMTP",
  "IDRP",
  "IFMP",
  "IGP",
  "IL",
  "IPCOMP",
  "IPCV",
  "IPENCAP",
  "IPIP",
  "IPPC",
  "IPV6",
  "IPV6-ICMP",
  "IPX-IN-IP",
  "IRTP",
  "ISIS",
  "ISO-IP",
  "ISO-TP4",
  "KRYPTOLAN",
  "L2TP",
  "LARP",
  "LEAF-1",
  "LEAF-2",
  "MANET",
  "MERIT-INP",
  "MFE-NSP",
  "MICP",
  "MOBILE",
  "MPLS-IN-IP",
  "MTP",
  "MUX",
  "NARP",
  "NETBLT",
  "NSFNET-IGP",
  "NVP",
  "PFSYNC",
  "PGM",
  "PIPE",
  "PNNI",
  "PRM",
  "PTP",
  "PUP",
  "PVP",
  "QNX",
  "RDP",
  "ROHC",
  "RSVP",
  "RSVP-E2E-IGNORE",
  "RVD",
  "SAT-EXPAK",
  "SAT-MON",
  "SCC-SP",
  "SCPS",
  "SCTP",
  "SDRP",
  "SECURE-VMTP",
  "SHIM6",
  "SKIP",
  "SM",
  "SMP",
  "SNP",
  "SPRITE-RPC",
  "SPS",
  "SRP",
  "ST2",
  "STP",
  "SUN-ND",
  "SWIPE",
  "TCF",
  "TLSP",
  "TP++",
  "TRUNK-1",
  "TRUNK-2",
  "TTP",
  "UDPLITE",
  "UTI",
  "VINES",
  "VISA",
  "VMTP",
  "WB-EXPAK",
  "WB-MON",
  "WESP",
  "WSN",
  "XNET",
  "XNS-IDP",
  "XTP"
]

export const PROTOCOL_OPTIONS: ReadonlyArray<Opt> = [
  { key: "any", label: "any" },
  ...["TCP", "UDP", "TCP/UDP", ...PROTOCOLS].map((p) => ({ key: p, label: p }))
]
/** DNat's ProtocolField is lower-case (§9.1). */
export const PROTOCOL_OPTIONS_LOWER: ReadonlyArray<Opt> = ["TCP", "UDP", "TCP/UDP", ...PROTOCOLS].map((p) => ({
  key: p.toLowerCase(),
  label: p
}))

/** The deprecated ones exist from 26.1.3 (both emulated versions are later). */
export const ICMP_TYPES: ReadonlyArray<Opt> = [
  { key: "echoreq", label: "Echo Request", optgroup: "Common" },
  { key: "echorep", label: "Echo Reply", optgroup: "Common" },
  { key: "unreach", label: "Destination Unreachable", optgroup: "Common" },
  { key: "redir", label: "Redirect", optgroup: "Common" },
  { key: "routeradv", label: "Router Advertisement", optgroup: "Common" },
  { key: "routersol", label: "Router Solicitation", optgroup: "Common" },
  { key: "timex", label: "Time Exceeded", optgroup: "Common" },
  { key: "paramprob", label: "Parameter Problem", optgroup: "Common" },
  { key: "timereq", label: "Timestamp", optgroup: "Common" },
  { key: "timerep", label: "Timestamp Reply", optgroup: "Common" },
  { key: "photuris", label: "Photuris", optgroup: "Common" },
  { key: "squench", label: "Source Quench", optgroup: "Deprecated" },
  { key: "althost", label: "Alternate Host Address", optgroup: "Deprecated" },
  { key: "inforeq", label: "Information Request", optgroup: "Deprecated" },
  { key: "inforep", label: "Information Reply", optgroup: "Deprecated" },
  { key: "maskreq", label: "Address Mask Request", optgroup: "Deprecated" },
  { key: "maskrep", label: "Address Mask Reply", optgroup: "Deprecated" },
  { key: "trace", label: "Traceroute", optgroup: "Deprecated" },
  { key: "dataconv", label: "Data conversion problem", optgroup: "Deprecated" },
  { key: "mobredir", label: "Mobile host redirection", optgroup: "Deprecated" },
  { key: "ipv6-where", label: "IPv6 where-are-you", optgroup: "Deprecated" },
  { key: "ipv6-here", label: "IPv6 i-am-here", optgroup: "Deprecated" },
  { key: "mobregreq", label: "Mobile registration request", optgroup: "Deprecated" },
  { key: "mobregrep", label: "Mobile registration reply", optgroup: "Deprecated" },
  { key: "skip", label: "SKIP", optgroup: "Deprecated" }
]

export const ICMP6_TYPES: ReadonlyArray<Opt> = [
  { key: "1", label: "Destination unreachable" },
  { key: "2", label: "Packet too big" },
  { key: "3", label: "Time exceeded" },
  { key: "4", label: "Invalid IPv6 header" },
  { key: "128", label: "Echo service request" },
  { key: "129", label: "Echo service reply" },
  { key: "130", label: "Multicast Listener Query" },
  { key: "131", label: "Multicast listener report" },
  { key: "132", label: "Multicast listener done" },
  { key: "133", label: "Router solicitation" },
  { key: "134", label: "Router advertisement" },
  { key: "135", label: "Neighbor solicitation" },
  { key: "136", label: "Neighbor advertisement" },
  { key: "137", label: "Shorter route exists" },
  { key: "138", label: "Route renumbering" },
  { key: "139", label: "ICMP Node Information Query" },
  { key: "140", label: "Node information reply" },
  { key: "200", label: "mtrace response" },
  { key: "201", label: "mtrace messages" }
]

const hex = (n: number) => n.toString(16)
/** TosField: named values, DSCP classes, then every raw byte 0x0…0xff. */
export const TOS_OPTIONS: ReadonlyArray<Opt> = [
  ...["lowdelay", "critical", "inetcontrol", "netcontrol", "throughput", "reliability"].map((k) => ({
    key: k,
    label: k
  })),
  { key: "ef", label: "EF" },
  ...["11", "12", "13", "21", "22", "23", "31", "32", "33", "41", "42", "43"].map((k) => ({
    key: `af${k}`,
    label: `AF${k}`
  })),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => ({ key: `cs${k}`, label: `CS${k}` })),
  ...Array.from(
    { length: 256 },
    (_, n) => ({ key: `0x${hex(n)}`, label: `0x${hex(n).toUpperCase().padStart(2, "0")}` })
  )
]

export const PRIORITIES: ReadonlyArray<Opt> = [
  { key: "1", label: "Background (1, lowest)" },
  { key: "0", label: "Best Effort (0, default)" },
  { key: "2", label: "Excellent Effort (2)" },
  { key: "3", label: "Critical Applications (3)" },
  { key: "4", label: "Video (4)" },
  { key: "5", label: "Voice (5)" },
  { key: "6", label: "Internetwork Control (6)" },
  { key: "7", label: "Network Control (7, highest)" }
]

export const TCP_FLAGS: ReadonlyArray<Opt> = ["syn", "ack", "fin", "rst", "psh", "urg", "ece", "cwr"].map((k) => ({
  key: k,
  label: k
}))
