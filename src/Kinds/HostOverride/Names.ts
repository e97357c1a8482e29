/**
 * DNS name rules of Unbound.xml, shared by the YAML checks and the wire adapter (opnsense/core
 * 26.7.2: src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml, FieldTypes/AliasReflector.php).
 */
import { isIPv4, isIPv6 } from "node:net"

/** hosts.host.domain and aliases.alias.domain `Mask` (case-insensitive). */
export const DOMAIN = /^(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/i

/**
 * HostnameField with IsDNSName=Y, IpAllowed=N (src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/HostnameField.php):
 * labels of 1..63 characters, at most 253 in all, no blanks, "/" or "*"; "*" alone where wildcards are
 * allowed, "*." in front where FQDN wildcards are (host aliases on 26.1.6+).
 */
export const isDnsName = (
  value: string,
  o: { readonly wildcard: boolean; readonly fqdnWildcard?: boolean }
): boolean => {
  if (o.wildcard && value === "*") return true
  const rest = o.fqdnWildcard === true && value.startsWith("*.") ? value.slice(2) : value
  if (isIPv4(rest) || isIPv6(rest)) return false
  const bare = rest.endsWith(".") ? rest.slice(0, -1) : rest
  if (bare === "" || bare.length > 253) return false
  if (bare.split(".").some((label) => label.length === 0 || label.length > 63)) return false
  return !/[\s/*]/.test(rest)
}

/**
 * An alias name split the way AliasReflector::splitHostDomain does: at the first dot; a domain equal
 * to the host's is left empty (the alias follows its host's domain).
 */
export const splitAlias = (
  name: string,
  hostDomain: string
): { readonly hostname: string; readonly domain: string } => {
  const s = name.trim().replace(/\.+$/, "")
  const dot = s.indexOf(".")
  const hostname = dot < 0 ? s : s.slice(0, dot)
  const domain = dot < 0 ? "" : s.slice(dot + 1)
  return { hostname, domain: domain.toLowerCase() === hostDomain.toLowerCase() ? "" : domain }
}

/** The canonical alias: "www" in the host's domain, "www.example.org" elsewhere. */
export const aliasName = (hostname: string, domain: string, hostDomain: string): string =>
  domain === "" || domain.toLowerCase() === hostDomain.toLowerCase()
    ? hostname
    : hostname === ""
    ? domain
    : `${hostname}.${domain}`

/** The full name an alias answers for. */
export const aliasFqdn = (alias: string, hostDomain: string): string => {
  const { hostname, domain } = splitAlias(alias, hostDomain)
  return `${hostname}.${domain === "" ? hostDomain : domain}`.toLowerCase()
}

/** The natural key: one record type per name. */
export const hostKey = (hostname: string, domain: string, type: string): string =>
  `${hostname === "" ? "" : `${hostname}.`}${domain}/${type}`.toLowerCase()
