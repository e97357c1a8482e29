/**
 * Domain overrides: what Unbound.xml `dots.dot` refuses, checked offline (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml: domain a HostnameField with IsDNSName,
 * no IP; server required), one row per domain and server, and settings Unbound applies per domain
 * (src/opnsense/service/templates/OPNsense/Unbound/core/dot.conf groups the rows of a domain into one
 * forward-zone and turns forward-tcp-upstream / forward-first on when any row has it).
 */
import { isIPv4, isIPv6 } from "node:net"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import { isDnsName } from "../HostOverride/Names.ts"
import type { DomainOverrideInput } from "./Input.ts"
import { domainKey, type DomainOverrideSpec } from "./Spec.ts"

export const domainOverrideSpec = (input: DomainOverrideInput): DomainOverrideSpec => ({
  domain: input.domain,
  server: input.server,
  port: input.port ?? null,
  tcpUpstream: input.tcp_upstream ?? false,
  forwardFirst: input.forward_first ?? false,
  enabled: input.enabled ?? true,
  description: input.description ?? ""
})

export const checkDomainOverrides = (items: ReadonlyArray<Located<DomainOverrideInput>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const keys = new Map<string, Located<DomainOverrideInput>>()
  const domains = new Map<string, Located<DomainOverrideInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    const v = item.value
    if (!isDnsName(v.domain, { wildcard: false })) {
      issues.push(report(item, ["domain"], {
        code: "invalid-domain",
        message: `"${v.domain}" is not a valid domain`,
        hint: "a DNS name such as corp.example (no IP address, no wildcard)"
      }))
    }
    if (!(isIPv4(v.server) || isIPv6(v.server))) {
      issues.push(report(item, ["server"], {
        code: "invalid-address",
        message: `"${v.server}" is not an IP address`,
        hint: "the DNS server's IPv4 or IPv6 address; its port goes in port"
      }))
    }
    const key = domainKey(domainOverrideSpec(v))
    const first = keys.get(key)
    if (first !== undefined) {
      issues.push(report(item, ["server"], {
        code: "duplicate-domain-override",
        message:
          `${v.domain} is already forwarded to ${v.server} by "${first.name}" (${first.source.file}:${first.source.line})`,
        hint: "list each server of a domain once"
      }))
    } else keys.set(key, item)
    if (v.enabled === false) continue
    const other = domains.get(v.domain.toLowerCase())
    if (other === undefined) domains.set(v.domain.toLowerCase(), item)
    else {
      for (const [field, label] of [["tcp_upstream", "tcp_upstream"], ["forward_first", "forward_first"]] as const) {
        if ((other.value[field] ?? false) !== (v[field] ?? false)) {
          issues.push(report(item, [field], {
            code: "domain-setting-conflict",
            severity: "warning",
            message:
              `${label} differs from "${other.name}" (${other.source.file}:${other.source.line}) for ${v.domain}`,
            hint: `Unbound has one forward-zone per domain and turns ${label} on for all its servers when any has it`
          }))
        }
      }
    }
  }
  return issues
}
