/**
 * Static routes: the network is a CIDR (NetworkField with NetMaskRequired, opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Routes/Route.xml), unique per gateway, its family matches
 * the gateway's (Route.php performValidation; an IPv4 network through an IPv6 gateway is allowed,
 * RFC 5549), and the gateway it names is one the site defines, on an interface the site knows.
 */
import { parseCidr } from "../../DesiredState/Addresses.ts"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { GatewayInput } from "../Gateway/Input.ts"
import { gatewaySpec } from "../Gateway/Yaml.ts"
import type { LoadContext } from "../Kind.ts"
import type { RouteInput } from "./Input.ts"
import type { RouteSpec } from "./Spec.ts"

/** "10.50.0.0/16" as written, with an IPv6 network in lower case (the firewall keeps what it is given). */
export const routeSpec = (input: RouteInput): RouteSpec => ({
  network: input.network.includes(":") ? input.network.toLowerCase() : input.network,
  gateway: input.gateway,
  description: input.description ?? "",
  enabled: input.enabled ?? true
})

export const checkRoutes = (items: ReadonlyArray<Located<RouteInput>>, context: LoadContext): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const gateways = new Map(
    (context.items("gateways") as ReadonlyArray<Located<GatewayInput>>).map((g) => [g.value.name, g])
  )
  const known = context.site.interfaces === undefined ? undefined : new Set(Object.keys(context.site.interfaces))
  const seen = new Map<string, Located<RouteInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    const spec = routeSpec(item.value)
    const parsed = parseCidr(spec.network)
    const family = parsed._tag === "Literal" ? parsed.family : undefined
    if (parsed._tag !== "Literal" || !spec.network.includes("/")) {
      issues.push(report(item, ["network"], {
        code: "invalid-route-network",
        message: parsed._tag === "Invalid"
          ? parsed.reason
          : `"${spec.network}" is not a network in CIDR notation`,
        hint: "write the destination as address/prefix, e.g. 10.50.0.0/16 (OPNsense requires the prefix)"
      }))
    } else if (parsed.warning !== undefined) {
      issues.push(report(item, ["network"], parsed.warning))
    }
    const key = `${spec.network}|${spec.gateway}`
    const first = seen.get(key)
    if (first !== undefined) {
      issues.push(report(item, ["network"], {
        code: "duplicate-route",
        message:
          `route to ${spec.network} via ${spec.gateway} is already declared as "${first.name}" (${first.source.file}:${first.source.line})`,
        hint: "declare each network once per gateway"
      }))
    } else seen.set(key, item)
    const gateway = gateways.get(spec.gateway)
    if (gateway === undefined) {
      issues.push(report(item, ["gateway"], {
        code: "route-gateway-undefined",
        severity: "warning",
        message: `gateway "${spec.gateway}" is not defined in this site's gateways`,
        hint: "declare it under `gateways:`; a gateway that exists only on the firewall is not checked, " +
          "and the firewall refuses a route through a gateway it does not have"
      }))
      continue
    }
    const gw = gatewaySpec(gateway.value)
    if (known !== undefined && !known.has(gw.interface)) {
      issues.push(report(item, ["gateway"], {
        code: "route-gateway-no-interface",
        severity: "warning",
        message: `gateway "${gw.name}" is on interface "${gw.interface}", which this site does not know (${
          [...known].join(", ") || "no interfaces declared"
        })`,
        hint: `the route would have no way out: put gateway "${gw.name}" on one of the site's interfaces ` +
          `(${gateway.source.file}:${gateway.source.line}), or declare "${gw.interface}" under the site's interfaces`
      }))
    }
    // an IPv4 network through an IPv6 gateway is allowed (RFC 5549); the other way round is not
    if (family === 6 && gw.ipVersion === "inet") {
      issues.push(report(item, ["gateway"], {
        code: "route-family-mismatch",
        message: `IPv6 network ${spec.network} through IPv4 gateway "${gw.name}"`,
        hint: "OPNsense: \"Specify a valid gateway from the list matching the networks ip protocol.\""
      }))
    }
  }
  return issues
}
