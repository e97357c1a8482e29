/**
 * Gateways: name mask, address of the right family or `dynamic`, unique names and addresses
 * (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Routing/Gateways.xml, Gateways.php
 * performValidation), and their canonical specs.
 */
import { isIPv4, isIPv6 } from "node:net"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { GatewayInput } from "./Input.ts"
import type { GatewayFamily, GatewaySpec } from "./Spec.ts"

/** opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Routing/Gateways.xml `name` Mask */
export const GATEWAY_NAME = /^[a-zA-Z0-9_-]{1,32}$/

/** The family an address implies; `dynamic` (and anything else) counts as IPv4, the model's default. */
export const familyOf = (address: string): GatewayFamily => (address.includes(":") ? "inet6" : "inet")

const familyName = (f: GatewayFamily) => (f === "inet6" ? "IPv6" : "IPv4")
const isFamily = (address: string, f: GatewayFamily) => (f === "inet6" ? isIPv6(address) : isIPv4(address))

export const gatewaySpec = (input: GatewayInput): GatewaySpec => ({
  name: input.name,
  interface: input.interface,
  ipVersion: input.ip_version === undefined ? familyOf(input.address) : input.ip_version === "ipv6" ? "inet6" : "inet",
  address: input.address,
  description: input.description ?? "",
  enabled: input.enabled ?? true,
  priority: input.priority ?? 255,
  weight: input.weight ?? 1,
  defaultGateway: input.default_gateway ?? false,
  farGateway: input.far_gateway ?? false,
  monitoring: input.monitoring ?? false,
  monitor: input.monitor ?? ""
})

export const checkGateways = (items: ReadonlyArray<Located<GatewayInput>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const names = new Map<string, Located<GatewayInput>>()
  const addresses = new Map<string, Located<GatewayInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    const spec = gatewaySpec(item.value)
    if (!GATEWAY_NAME.test(spec.name)) {
      issues.push(report(item, ["name"], {
        code: "invalid-gateway-name",
        message: `gateway name "${spec.name}" must be 1-32 characters of a-z A-Z 0-9 _ -`,
        hint: "OPNsense refuses other names; routes and rules refer to the gateway by this name"
      }))
    }
    const first = names.get(spec.name.toLowerCase())
    if (first !== undefined && first !== item) {
      issues.push(report(item, ["name"], {
        code: "duplicate-gateway-name",
        message: `gateway name "${spec.name}" is already used at ${first.source.file}:${first.source.line}`,
        hint: "gateway names are unique on the firewall"
      }))
    } else names.set(spec.name.toLowerCase(), item)
    if (spec.address !== "dynamic" && !isFamily(spec.address, spec.ipVersion)) {
      issues.push(report(item, ["address"], {
        code: "invalid-gateway-address",
        message: `"${spec.address}" is not an ${familyName(spec.ipVersion)} address`,
        hint: "give the next hop's address, or `dynamic` for one taken from the interface's DHCP/PPP lease"
      }))
    } else if (spec.address !== "dynamic") {
      const other = addresses.get(spec.address)
      if (other !== undefined) {
        issues.push(report(item, ["address"], {
          code: "duplicate-gateway-address",
          message:
            `gateway address ${spec.address} is already used by gateway "${other.name}" (${other.source.file}:${other.source.line})`,
          hint: "OPNsense refuses two gateways with the same address (\"This gateway IP address already exists.\")"
        }))
      } else addresses.set(spec.address, item)
    }
    if (spec.monitor !== "" && !isFamily(spec.monitor, spec.ipVersion)) {
      issues.push(report(item, ["monitor"], {
        code: "invalid-gateway-address",
        message: `monitor "${spec.monitor}" is not an ${familyName(spec.ipVersion)} address`,
        hint: "monitor an address of the gateway's family, or leave it out to monitor the gateway itself"
      }))
    }
  }
  return issues
}
