/**
 * Which site a command means: the named one, or the only one when no name is given. Every face
 * (CLI, MCP, HTTP) and the safety layer choose the same way and fail with the same SiteNotFound,
 * which names the known sites.
 */
import * as Effect from "effect/Effect"
import type { DesiredSite, SiteConfig } from "../Domain/Desired.ts"
import { SiteNotFound } from "./Errors.ts"

const nameOf = (site: SiteConfig | DesiredSite): string => ("config" in site ? site.config.name : site.name)

/**
 * The site called `name` among `sites` (configurations, or loaded sites), or the only one when
 * `name` is undefined. `declaredIn` (e.g. `desired-state/sites.yaml`) is named in the message, and
 * `chooseWith` is how the caller's face names a site (`--site` on the CLI, `site` over MCP).
 */
export const selectSite = <S extends SiteConfig | DesiredSite>(
  sites: ReadonlyArray<S>,
  name: string | undefined,
  declaredIn?: string,
  chooseWith = "--site"
): Effect.Effect<S, SiteNotFound> => {
  const site = name === undefined
    ? (sites.length === 1 ? sites[0] : undefined)
    : sites.find((s) => nameOf(s) === name)
  if (site !== undefined) return Effect.succeed(site)
  const known = sites.map(nameOf)
  const where = declaredIn === undefined ? "" : ` in ${declaredIn}`
  return Effect.fail(
    new SiteNotFound({
      message: name !== undefined
        ? `no site "${name}"${where}; known sites: ${known.join(", ") || "(none)"}`
        : known.length === 0
        ? `no site is declared${where}`
        : `several sites are declared (${known.join(", ")}): choose one with ${chooseWith}`,
      site: name ?? "",
      known
    })
  )
}

/**
 * The site an import is for: chosen as above when the desired state loads, else (import works
 * before any YAML exists) the asked or single default site at the root.
 */
export const importSite = <E>(
  sites: Effect.Effect<ReadonlyArray<SiteConfig>, E>,
  name: string | undefined,
  declaredIn?: string,
  chooseWith?: string
): Effect.Effect<SiteConfig, SiteNotFound> =>
  Effect.flatMap(
    Effect.result(sites),
    (loaded) =>
      loaded._tag === "Success"
        ? selectSite(loaded.success, name, declaredIn, chooseWith)
        : Effect.succeed({ name: name ?? "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} })
  )
