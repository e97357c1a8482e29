/**
 * Destination NAT findings: a port forward an earlier one always takes first (it never translates),
 * a forward whose translated traffic the filter rules certainly do not pass (the filter rules see
 * the translated destination and port; filter_rule pass and register need no rule of the user),
 * a 1:1 NAT entry that earlier entries take first in every direction it translates, and an
 * outbound NAT rule an earlier rule or a binat entry always takes first.
 */
import type { CompiledPolicy } from "../Compile.ts"
import { explainCompiled } from "../Evaluate.ts"
import { type CompiledForward, type CompiledOneToOne, forwardsOf, oneToOnesOf } from "../Nat.ts"
import type { CompiledPacket } from "../Packet.ts"
import { showIp } from "../Packet.ts"
import { covers } from "../Relations.ts"
import { type CompiledOutboundNat, outboundNatOf } from "../SourceNat.ts"
import { type Draft, quote } from "./Finding.ts"

const draft = (
  f: CompiledForward,
  code: Draft["code"],
  message: string,
  hint: string,
  related: ReadonlyArray<string> = []
): Draft => ({
  code,
  kind: "port_forward",
  name: f.forward.name,
  message,
  hint,
  source: f.forward.source,
  related
})

const shadowed = (forwards: ReadonlyArray<CompiledForward>): ReadonlyArray<Draft> =>
  forwards.flatMap((later, i) => {
    if (!later.forward.spec.enabled || later.forward.origin !== "mvc") return []
    const earlier = forwards.slice(0, i).find((f) => f.forward.spec.enabled && covers(f.match, later.match))
    if (earlier === undefined) return []
    const what = earlier.forward.spec.noRdr ? "exempts from translation (no_rdr)" : "translates"
    return [draft(
      later,
      "shadowed-forward",
      `port forward ${quote(later.forward.name)} never translates: earlier port forward ${
        quote(earlier.forward.name)
      } matches every packet it matches and ${what} it first`,
      `move ${quote(later.forward.name)} before ${quote(earlier.forward.name)}, narrow the earlier one, or delete it`,
      [earlier.forward.name]
    )]
  })

/** The translated packet a forward makes, as a filter rule sees it: undefined when it is not one known packet. */
const translatedPacket = (f: CompiledForward): CompiledPacket | undefined => {
  const iface = f.forward.spec.interfaces[0]
  if (f.target === undefined || iface === undefined) return undefined
  const protocols = f.match.protocols
  const protocol = protocols === undefined || protocols.has("TCP") ? "TCP" : [...protocols][0]!
  const port = f.localPort ?? f.destinationFrom
  return {
    source: undefined,
    destination: f.target,
    source4: NaN,
    destination4: f.target.family === 4 ? Number(f.target.value) : NaN,
    family: f.target.family,
    protocol,
    sourcePort: undefined,
    destinationPort: port === undefined || protocol === "TCP" || protocol === "UDP" ? port : undefined,
    interface: iface,
    direction: "in"
  }
}

const unpassed = (policy: CompiledPolicy, forwards: ReadonlyArray<CompiledForward>): ReadonlyArray<Draft> =>
  forwards.flatMap((f) => {
    const spec = f.forward.spec
    if (!spec.enabled || spec.noRdr || spec.filterRule !== "manual" || f.forward.origin !== "mvc") return []
    const packet = translatedPacket(f)
    if (packet === undefined) return []
    const shown = `${packet.protocol.toLowerCase()} → ${showIp(f.target!)}${
      packet.destinationPort === undefined ? "" : `:${packet.destinationPort}`
    } on ${packet.interface}`
    const e = explainCompiled(policy, packet, { protocol: packet.protocol }, [])
    // only a certain refusal: a rule that may pass (a source it names, an opaque alias) is given the benefit
    if (e.decision === "pass" || !e.certain) return []
    const by = e.decidedBy.kind === "rule"
      ? `rule ${quote(e.decidedBy.rule)} ${e.decision}s it`
      : `no rule passes it (${e.decidedBy.rule})`
    return [draft(
      f,
      "forward-unpassed",
      `port forward ${
        quote(f.forward.name)
      } translates traffic no filter rule passes: the filter rules see ${shown}, and ${by}`,
      `add a pass rule for ${shown} (rules see the translated address and port), or set filter_rule: pass or register on the port forward`,
      e.decidedBy.kind === "rule" ? [e.decidedBy.rule] : []
    )]
  })

/**
 * A 1:1 entry that never translates. pf tries every binat rule before any nat rule outbound
 * (pf_get_translation, FreeBSD sys/netpfil/pf/pf_lb.c): an entry of type nat is taken first by any
 * binat entry covering its outbound match, wherever it stands, and by an earlier entry of type nat
 * (1:1 entries keep their sequence order, src/etc/inc/plugins.inc.d/pf.inc, opnsense/core 26.7.2).
 * An entry of type binat is taken first only by earlier binat entries, and only when they cover
 * both its outbound and its inbound match.
 */
const shadowedOneToOne = (entries: ReadonlyArray<CompiledOneToOne>): ReadonlyArray<Draft> =>
  entries.flatMap((later, i) => {
    const spec = later.entry.spec
    if (!spec.enabled || later.entry.origin !== "mvc") return []
    const before = entries.slice(0, i).filter((e) => e.entry.spec.enabled)
    const binats = (spec.type === "nat" ? entries : before).filter((e) =>
      e !== later && e.entry.spec.enabled && e.entry.spec.type === "binat"
    )
    const outbound = binats.find((e) => covers(e.outbound, later.outbound)) ??
      (spec.type === "nat"
        ? before.find((e) => e.entry.spec.type === "nat" && covers(e.outbound, later.outbound))
        : undefined)
    const inbound = spec.type === "binat" ? binats.find((e) => covers(e.match, later.match)) : undefined
    if (outbound === undefined || (spec.type === "binat" && inbound === undefined)) return []
    const earlier = [...new Set([outbound, ...(inbound === undefined ? [] : [inbound])].map((e) => e.entry.name))]
    return [{
      code: "shadowed-one-to-one",
      kind: "one_to_one_nat",
      name: later.entry.name,
      message: `1:1 NAT entry ${quote(later.entry.name)} never translates: ${
        earlier.length === 1 ? "entry" : "entries"
      } ${earlier.map(quote).join(" and ")} match every packet it matches${
        spec.type === "binat" ? ", in both directions," : ""
      } and ${earlier.length === 1 ? "takes" : "take"} it first${
        spec.type === "nat" && outbound.entry.spec.type === "binat" ? " (pf tries binat entries before nat ones)" : ""
      }`,
      hint: spec.type === "nat" && outbound.entry.spec.type === "binat"
        ? `narrow ${quote(outbound.entry.name)} (moving ${
          quote(later.entry.name)
        } does not help: binat comes first), or delete it`
        : `move ${quote(later.entry.name)} before ${earlier.map(quote).join(" and ")}, narrow ${
          earlier.length === 1 ? "it" : "them"
        }, or delete it`,
      source: later.entry.source,
      related: earlier
    }]
  })

/**
 * An outbound NAT rule that never applies: an earlier enabled rule matches every packet it matches
 * (first match among the nat rules), or an enabled 1:1 binat entry does (binat before nat).
 */
const shadowedOutbound = (
  rules: ReadonlyArray<CompiledOutboundNat>,
  binats: ReadonlyArray<CompiledOneToOne>
): ReadonlyArray<Draft> =>
  rules.flatMap((later, i) => {
    if (!later.entry.spec.enabled || later.entry.origin !== "mvc") return []
    const earlier = rules.slice(0, i).find((r) => r.entry.spec.enabled && covers(r.match, later.match))
    const binat = earlier === undefined
      ? binats.find((b) => b.entry.spec.enabled && b.entry.spec.type === "binat" && covers(b.outbound, later.match))
      : undefined
    const by = earlier !== undefined
      ? `earlier outbound NAT rule ${quote(earlier.entry.name)}${
        earlier.entry.spec.noNat ? " (do not NAT)" : ""
      } matches every packet it matches and takes it first`
      : binat !== undefined
      ? `1:1 NAT entry ${
        quote(binat.entry.name)
      } matches every packet it matches, and pf tries binat entries before outbound NAT rules`
      : undefined
    if (by === undefined) return []
    const name = earlier?.entry.name ?? binat!.entry.name
    return [{
      code: "shadowed-outbound-nat",
      kind: "outbound_nat",
      name: later.entry.name,
      message: `outbound NAT rule ${quote(later.entry.name)} never applies: ${by}`,
      hint: earlier !== undefined
        ? `move ${quote(later.entry.name)} before ${quote(name)}, narrow the earlier rule, or delete it`
        : `narrow the 1:1 entry ${quote(name)} (its internal address or destination), or delete the rule`,
      source: later.entry.source,
      related: [name]
    }]
  })

export const natFindings = (policy: CompiledPolicy): ReadonlyArray<Draft> => {
  const forwards = forwardsOf(policy)
  const oneToOne = oneToOnesOf(policy)
  return [
    ...(forwards.length === 0 ? [] : [...shadowed(forwards), ...unpassed(policy, forwards)]),
    ...shadowedOneToOne(oneToOne),
    ...shadowedOutbound(outboundNatOf(policy), oneToOne)
  ]
}
