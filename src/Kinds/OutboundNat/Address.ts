/**
 * Address and port values of NAT entries (outbound and 1:1): what a NetworkAliasField or PortField
 * of opnsense/core's Filter.xml takes, checked against the site's aliases, with file:line:col.
 */
import { parseCidr } from "../../DesiredState/Addresses.ts"
import type { IssueInput } from "../../DesiredState/Issues.ts"
import { suggestion } from "../../DesiredState/Issues.ts"
import { normalizeAddresses, normalizePort } from "../../Domain/Normalize.ts"
import type { AliasTable } from "../Alias/Spec.ts"
import { aliasTypeOf } from "../Alias/Yaml.ts"

/** Interface nets (lan, opt3) and addresses (lanip, wanip) of the well-known identifiers. */
const INTERFACE_VALUE = /^(lan|wan|opt\d+)(ip)?$/

/**
 * A NetworkAliasField value: any, an address or CIDR, an alias, an interface net or address,
 * (self). `family` is the entry's address family when a literal must match it.
 */
export const addressProblem = (
  aliases: AliasTable,
  raw: string,
  family?: 4 | 6
): IssueInput | undefined => {
  const value = raw.trim()
  if (value.toLowerCase() === "any" || value === "(self)" || INTERFACE_VALUE.test(value)) return undefined
  const literal = parseCidr(value)
  if (literal._tag === "Invalid") {
    return {
      code: "invalid-address",
      message: literal.reason,
      hint: "write an address (10.0.0.1), a CIDR (10.0.0.0/24), an alias name or an interface net (lan, wanip)"
    }
  }
  if (literal._tag === "Literal") {
    if (family !== undefined && literal.family !== family) {
      return {
        code: "address-family",
        message: `IPv${literal.family} address "${value}" in an IPv${family} entry`,
        hint: `use an IPv${family} address, or set ip_version: ipv${literal.family}`
      }
    }
    return literal.warning
  }
  const type = aliasTypeOf(aliases, value)
  if (type === "port") {
    return {
      code: "alias-type-mismatch",
      message: `port alias "${value}" cannot be used as an address`,
      hint: "name a host or network alias here"
    }
  }
  if (type !== undefined) return undefined
  return {
    code: "unknown-alias",
    message: `"${value}" is not an address, a CIDR, an alias of this site or an interface net`,
    hint: suggestion(value, [...aliases.keys()]) ?? `define an alias named "${value}" or write an address`
  }
}

/** A PortField value: a number, a range, a service name or (where `aliases` is given) a port alias. */
export const portProblem = (
  aliases: AliasTable | undefined,
  raw: string | number
): IssueInput | undefined => {
  const port = normalizePort(raw)
  if (port._tag === "Invalid") {
    return {
      code: "invalid-port",
      message: port.reason,
      hint: "write 443, \"8000-8080\" or a service name such as https"
    }
  }
  if (port._tag !== "Alias") return undefined
  if (aliases === undefined) {
    return {
      code: "invalid-port",
      message: `"${port.value}" is not a port or a service name (this field takes no aliases)`,
      hint: "write a number, a range or a service name"
    }
  }
  const type = aliasTypeOf(aliases, port.value)
  if (type === "port") return undefined
  return type === undefined
    ? {
      code: "unknown-alias",
      message: `"${port.value}" is not a port, a service name or a port alias of this site`,
      hint: suggestion(port.value, [...aliases.keys()]) ?? `define a port alias named "${port.value}"`
    }
    : { code: "alias-type-mismatch", message: `${type} alias "${port.value}" cannot be used as a port` }
}

/** The canonical port: "" for any. */
export const canonicalPort = (raw: string | number | undefined): string => {
  const port = normalizePort(raw)
  return port._tag === "Invalid" ? String(raw ?? "") : port.value
}

/** "any" and "" are the same address; a /32 (/128) is its host. */
export const canonicalAddress = (raw: string | undefined): string => normalizeAddresses([raw ?? ""])[0] ?? ""
