/**
 * Option lists that field classes compute in PHP rather than list in the model XML (the XML ones
 * are generated, see Generated.ts). Labels as the recorded 26.1.5 template shows them (fixture
 * firewall/filter_getRule-nouuid).
 */
import type { Opt } from "./Fields.ts"

/**
 * /etc/protocols names upper-cased, after `any`, `TCP`, `UDP`, `TCP/UDP` (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/ProtocolField.php, AddOptions from the model).
 */
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
/** DNat's ProtocolField has `<ChangeCase>lower</ChangeCase>` (DNat.xml): lower-case keys. */
export const PROTOCOL_OPTIONS_LOWER: ReadonlyArray<Opt> = ["TCP", "UDP", "TCP/UDP", ...PROTOCOLS].map((p) => ({
  key: p.toLowerCase(),
  label: p
}))

const hex = (n: number) => n.toString(16)
/**
 * TosField (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/FieldTypes/TosField.php):
 * named values, DSCP classes, then every raw byte 0x0…0xff.
 */
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
