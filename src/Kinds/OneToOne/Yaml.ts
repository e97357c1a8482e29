/**
 * 1:1 NAT entries: the checks opnsense/core enforces (Filter.xml `onetoone.rule` field types,
 * Filter.php performValidation) before any API call, and the canonical specs.
 */
import { parseCidr } from "../../DesiredState/Addresses.ts"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { LoadContext } from "../Kind.ts"
import { addressProblem, canonicalAddress } from "../OutboundNat/Address.ts"
import type { OneToOneInput } from "./Input.ts"
import type { OneToOneSpec } from "./Spec.ts"

const INTERFACE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/

type SideInput = OneToOneInput["internal"]

const sideOf = (input: SideInput | undefined) =>
  input === undefined
    ? { address: "", invert: false, path: [] as Array<string> }
    : typeof input === "string"
    ? { address: input, invert: false, path: [] as Array<string> }
    : { address: input.address, invert: input.invert ?? false, path: ["address"] }

export const oneToOneSpec = (input: OneToOneInput): OneToOneSpec => {
  const internal = sideOf(input.internal)
  const destination = sideOf(input.destination)
  return {
    enabled: input.enabled ?? true,
    interface: input.interface ?? "wan",
    type: input.type ?? "binat",
    internal: canonicalAddress(internal.address),
    internalInvert: internal.invert,
    external: canonicalAddress(input.external),
    destination: canonicalAddress(destination.address),
    destinationInvert: destination.invert,
    natReflection: input.nat_reflection === undefined || input.nat_reflection === "default" ? "" : input.nat_reflection,
    log: input.log ?? false,
    description: input.description ?? ""
  }
}

/** The prefix length of a literal ("10.0.0.0/24" → 24; a bare address counts as /32 or /128). */
const prefixOf = (value: string): number | undefined => {
  const literal = parseCidr(value)
  if (literal._tag !== "Literal") return undefined
  const [, prefix] = value.split("/")
  return prefix === undefined ? (literal.family === 4 ? 32 : 128) : Number(prefix)
}

const familyOf = (value: string): 4 | 6 | undefined => {
  const literal = parseCidr(value)
  return literal._tag === "Literal" ? literal.family : undefined
}

const checkEntry = (entry: Located<OneToOneInput>, context: LoadContext): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = [...checkCommon(entry)]
  const value = entry.value
  const iface = value.interface ?? "wan"
  if (!INTERFACE.test(iface) || iface === "lo0") {
    issues.push(report(entry, ["interface"], {
      code: "invalid-interface",
      message: `"${iface}" is not an interface identifier`,
      hint: "use the identifier OPNsense shows (wan, opt2)"
    }))
  }
  const internal = sideOf(value.internal)
  const destination = sideOf(value.destination)
  const internalProblem = addressProblem(context.aliases, internal.address)
  if (internalProblem !== undefined) issues.push(report(entry, ["internal", ...internal.path], internalProblem))
  if (value.destination !== undefined) {
    const problem = addressProblem(context.aliases, destination.address)
    if (problem !== undefined) issues.push(report(entry, ["destination", ...destination.path], problem))
  }
  // `external` is a NetworkField without wildcard: an address or subnet only
  const external = value.external.trim()
  if (familyOf(external) === undefined) {
    issues.push(report(entry, ["external"], {
      code: "invalid-address",
      message: `"${value.external}" is not an address or subnet`,
      hint: "write the external address (203.0.113.10) or subnet (203.0.113.0/28)"
    }))
    return issues
  }
  // opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php performValidation
  // "IP protocol families should match." for each literal of source_net, destination_net, external
  const families = [internal.address, destination.address, external].map((a) => familyOf(a.trim()))
    .filter((f) => f !== undefined)
  if (new Set(families).size > 1) {
    issues.push(report(entry, ["external"], {
      code: "address-family",
      message: "the internal, external and destination addresses are of different IP families",
      hint: "use IPv4 or IPv6 throughout one entry"
    }))
  }
  // "For BINAT rules only addresses or subnets are allowed." / "External subnet should match internal subnet."
  if ((value.type ?? "binat") === "binat" && value.enabled !== false) {
    const inner = prefixOf(internal.address.trim())
    if (inner === undefined) {
      issues.push(report(entry, ["internal", ...internal.path], {
        code: "binat-address",
        message: `a binat entry needs an address or subnet as internal, not "${internal.address}"`,
        hint: "write the address or subnet, or use type: nat for an alias"
      }))
    } else if (inner !== prefixOf(external)) {
      issues.push(report(entry, ["external"], {
        code: "binat-prefix",
        message: `the external subnet /${prefixOf(external) ?? "?"} does not match the internal /${inner}`,
        hint: "binat maps address to address: give both sides the same prefix length"
      }))
    }
  }
  return issues
}

export const checkOneToOne = (
  entries: ReadonlyArray<Located<OneToOneInput>>,
  context: LoadContext
): ReadonlyArray<Issue> => entries.flatMap((e) => checkEntry(e, context))
