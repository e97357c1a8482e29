/**
 * Host overrides: what Unbound.xml refuses, checked offline (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml hosts.host and aliases.alias), names
 * another override shadows (src/etc/inc/plugins.inc.d/unbound.inc: a "*" host becomes
 * `local-zone: "<domain>" redirect`, which answers every name in and below the domain with the
 * wildcard's record), and the canonical spec.
 */
import { isIPv4, isIPv6 } from "node:net"
import { checkCommon } from "../../DesiredState/Common.ts"
import { type Located, report } from "../../DesiredState/Located.ts"
import type { Issue } from "../../Domain/Desired.ts"
import type { HostOverrideInput } from "./Input.ts"
import { aliasFqdn, aliasName, DOMAIN, hostKey, isDnsName, splitAlias } from "./Names.ts"
import type { HostOverrideSpec, RecordType } from "./Spec.ts"

const typeOf = (input: HostOverrideInput): RecordType => input.type ?? "A"

export const hostOverrideSpec = (input: HostOverrideInput): HostOverrideSpec => {
  const type = typeOf(input)
  return {
    hostname: input.host,
    domain: input.domain,
    type,
    server: type === "A" || type === "AAAA" ? input.address ?? "" : "",
    mxPriority: type === "MX" ? input.mx_priority ?? null : null,
    mx: type === "MX" ? input.mx_host ?? "" : "",
    txt: type === "TXT" ? input.txt ?? "" : "",
    ttl: input.ttl ?? null,
    addPtr: input.reverse ?? true,
    enabled: input.enabled ?? true,
    description: input.description ?? "",
    aliases: [
      ...new Set((input.aliases ?? []).map((a) => {
        const split = splitAlias(a, input.domain)
        return aliasName(split.hostname, split.domain, input.domain)
      }))
    ].sort()
  }
}

/** The fields each record type needs, and the ones it has no use for (SetIfConstraint on rr). */
const NEEDS: Readonly<Record<RecordType, ReadonlyArray<keyof HostOverrideInput>>> = {
  A: ["address"],
  AAAA: ["address"],
  MX: ["mx_priority", "mx_host"],
  TXT: ["txt"]
}
const TYPED: ReadonlyArray<keyof HostOverrideInput> = ["address", "mx_priority", "mx_host", "txt"]

const fieldIssues = (item: Located<HostOverrideInput>): Array<Issue> => {
  const issues: Array<Issue> = []
  const v = item.value
  const type = typeOf(v)
  if (!DOMAIN.test(v.domain)) {
    issues.push(report(item, ["domain"], {
      code: "invalid-domain",
      message: `"${v.domain}" is not a valid domain`,
      hint: "letters, digits and inner hyphens in dot-separated labels, e.g. office.lan"
    }))
  }
  // 26.1.7+ refuse a trailing dot (Unbound.php performValidation); every version the HostnameField rules
  if (v.host !== "" && (!isDnsName(v.host, { wildcard: true }) || v.host.endsWith("."))) {
    issues.push(report(item, ["host"], {
      code: "invalid-hostname",
      message: `"${v.host}" is not a valid host name`,
      hint: "one or more DNS labels without the domain, * for a wildcard, or \"\" for the domain itself"
    }))
  }
  for (const field of NEEDS[type]) {
    if (v[field] === undefined) {
      issues.push(report(item, [], {
        code: "missing-field",
        message: `a ${type} override needs ${field}`,
        hint: type === "MX" ? "give mx_priority and mx_host" : `give ${field}`
      }))
    }
  }
  for (const field of TYPED) {
    if (v[field] !== undefined && !NEEDS[type].includes(field)) {
      issues.push(report(item, [field], {
        code: "field-not-for-type",
        message: `${field} has no meaning for a ${type} override`,
        hint: `remove it, or set type to the record it belongs to`
      }))
    }
  }
  if (v.address !== undefined && NEEDS[type].includes("address")) {
    const family = isIPv4(v.address) ? "A" : isIPv6(v.address) ? "AAAA" : undefined
    if (family === undefined) {
      issues.push(report(item, ["address"], {
        code: "invalid-address",
        message: `"${v.address}" is not an IP address`,
        hint: "one IPv4 address for A, one IPv6 address for AAAA, without a prefix length"
      }))
    } else if (family !== type) {
      issues.push(report(item, ["address"], {
        code: "address-family",
        message: `${v.address} is an ${family === "A" ? "IPv4" : "IPv6"} address but the type is ${type}`,
        hint: family === "A" ? "use type A (the default)" : "set type: AAAA"
      }))
    }
  }
  if (v.mx_host !== undefined && !isDnsName(v.mx_host, { wildcard: false }) && !isIPv4(v.mx_host)) {
    issues.push(report(item, ["mx_host"], {
      code: "invalid-hostname",
      message: `"${v.mx_host}" is not a valid mail host name`,
      hint: "a host name such as mail.example.org"
    }))
  }
  // txtdata is a DescriptionField: one line of at most 255 bytes
  if (v.txt !== undefined && (/[\r\n]/.test(v.txt) || Buffer.byteLength(v.txt) > 255 || v.txt === "")) {
    issues.push(report(item, ["txt"], {
      code: "invalid-txt",
      message: "txt must be one line of 1 to 255 bytes",
      hint: "split longer text over several TXT overrides"
    }))
  }
  const seen = new Set<string>()
  for (const [i, alias] of (v.aliases ?? []).entries()) {
    // AliasReflector: HostWildcardAllowed, FqdnWildcardAllowed, IsDNSName, IpAllowed=N
    if (!isDnsName(alias, { wildcard: true, fqdnWildcard: true })) {
      issues.push(report(item, ["aliases", i], {
        code: "invalid-alias",
        message: `alias "${alias}" is not a valid host or domain name`,
        hint: "a name in the host's domain (www) or a full name (www.example.org)"
      }))
      continue
    }
    const split = splitAlias(alias, v.domain)
    if (split.domain !== "" && !DOMAIN.test(split.domain)) {
      issues.push(report(item, ["aliases", i], {
        code: "invalid-alias",
        message: `alias "${alias}": "${split.domain}" is not a valid domain`,
        hint: "letters, digits and inner hyphens in dot-separated labels"
      }))
    }
    const fqdn = aliasFqdn(alias, v.domain)
    if (seen.has(fqdn)) {
      issues.push(report(item, ["aliases", i], {
        code: "duplicate-alias",
        message: `alias "${alias}" is listed twice (${fqdn})`,
        hint: "remove one of them"
      }))
    }
    seen.add(fqdn)
  }
  return issues
}

/** Every name an override answers for (its own and its aliases'), lower case, with the record type. */
const namesOf = (v: HostOverrideInput): Array<{ readonly fqdn: string; readonly alias?: number }> => [
  { fqdn: `${v.host === "" ? "" : `${v.host}.`}${v.domain}`.toLowerCase() },
  ...(v.aliases ?? []).map((a, i) => ({ fqdn: aliasFqdn(a, v.domain), alias: i }))
]

/** Whether `fqdn` lies in or below `domain`. */
const within = (fqdn: string, domain: string): boolean => fqdn === domain || fqdn.endsWith(`.${domain}`)

export const checkHostOverrides = (items: ReadonlyArray<Located<HostOverrideInput>>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const keys = new Map<string, Located<HostOverrideInput>>()
  for (const item of items) {
    issues.push(...checkCommon(item))
    issues.push(...fieldIssues(item))
    const v = item.value
    const key = hostKey(v.host, v.domain, typeOf(v))
    const first = keys.get(key)
    if (first === undefined) keys.set(key, item)
    else {
      issues.push(report(item, ["host"], {
        code: "duplicate-host-override",
        message: `${typeOf(v)} record of "${
          key.split("/")[0]
        }" is already defined by "${first.name}" (${first.source.file}:${first.source.line})`,
        hint: "one override per name and record type; the later one shadows nothing but confuses the PTR record"
      }))
    }
  }
  // a wildcard (enabled) redirects its whole domain: every other name in or below it is never answered
  const wildcards = items.filter((i) => i.value.host === "*" && i.value.enabled !== false)
  for (const item of items) {
    if (item.value.enabled === false) continue
    for (const name of namesOf(item.value)) {
      const cover = wildcards.find((w) =>
        w !== item && within(name.fqdn, w.value.domain.toLowerCase()) &&
        !(name.alias === undefined && item.value.host === "*")
      )
      if (cover === undefined) continue
      issues.push(report(item, name.alias === undefined ? ["host"] : ["aliases", name.alias], {
        code: "shadowed-host-override",
        severity: "warning",
        message:
          `"${name.fqdn}" is shadowed by the wildcard "${cover.name}" (*.${cover.value.domain}, ${cover.source.file}:${cover.source.line})`,
        hint: `Unbound answers every name in ${cover.value.domain} with the wildcard's record (local-zone redirect); ` +
          "move this name to another domain or drop the wildcard"
      }))
    }
  }
  return issues
}
