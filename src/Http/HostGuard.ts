/**
 * The Host/Origin allow-list in front of every route (the ops routes and /mcp alike), against DNS
 * rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 talks to this
 * server with `Host: evil.example` (and `Origin: http://evil.example` on most requests), and would
 * otherwise read every rule and run plans when no token is set (the loopback default).
 *
 * - Host must name an allowed hostname (MCP_ALLOWED_HOSTS; default loopback names + HOST), or be an
 *   IP literal: rebinding needs a name the attacker controls, and a Host that is an address is what
 *   orchestrator probes send (`Host: <pod IP>:<port>`);
 * - Origin, when a browser sends one, must name an allowed hostname (MCP_ALLOWED_ORIGINS; default
 *   loopback names). No IP exemption here: a page served from another address is another origin.
 */
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import { isIP } from "node:net"

export const loopbackHosts: ReadonlyArray<string> = ["localhost", "127.0.0.1", "[::1]"]

/** The Host allow-list when MCP_ALLOWED_HOSTS is unset: loopback names plus HOST unless it is a wildcard. */
export const defaultAllowedHosts = (host: string): ReadonlyArray<string> =>
  host === "0.0.0.0" || host === "::" ? loopbackHosts : [...loopbackHosts, host.toLowerCase()]

/** A comma-separated list of hostnames, lower-cased (MCP_ALLOWED_HOSTS, MCP_ALLOWED_ORIGINS); undefined when unset. */
export const hostList = (name: string): Config.Config<ReadonlyArray<string> | undefined> =>
  Config.String(name).pipe(
    Config.option,
    Config.map(Option.map((raw) => raw.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== ""))),
    Config.map(Option.getOrUndefined)
  )

/** "Host: example:3000" → "example"; "[::1]:3000" → "[::1]" */
export const hostnameOf = (host: string): string => {
  const trimmed = host.trim().toLowerCase()
  if (trimmed.startsWith("[")) return trimmed.slice(0, trimmed.indexOf("]") + 1)
  return trimmed.replace(/:\d+$/, "")
}

const isAddress = (hostname: string): boolean => isIP(hostname.replace(/^\[(.*)\]$/, "$1")) !== 0

const originHostname = (origin: string): string | undefined => {
  try {
    return new URL(origin).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

export interface AllowList {
  readonly hosts: ReadonlyArray<string>
  readonly origins: ReadonlyArray<string>
}

export interface Refusal {
  readonly code: "HostNotAllowed" | "OriginNotAllowed"
  readonly message: string
}

/** A check of one request's Host and Origin headers: undefined when allowed. */
export type HostCheck = (host: string | undefined, origin: string | undefined) => Refusal | undefined

export const makeHostCheck = (allow: AllowList): HostCheck => {
  const hosts = new Set(allow.hosts.map(hostnameOf))
  const origins = new Set(allow.origins.map(hostnameOf))
  return (host, origin) => {
    const name = host === undefined ? undefined : hostnameOf(host)
    if (name === undefined || name === "" || !(hosts.has(name) || isAddress(name))) {
      return {
        code: "HostNotAllowed",
        message: `Host "${host ?? ""}" is not allowed; add its name to MCP_ALLOWED_HOSTS on the server`
      }
    }
    if (origin !== undefined) {
      const from = originHostname(origin)
      if (from === undefined || !origins.has(hostnameOf(from))) {
        return {
          code: "OriginNotAllowed",
          message: `Origin "${origin}" is not allowed; add its hostname to MCP_ALLOWED_ORIGINS on the server`
        }
      }
    }
    return undefined
  }
}
