/**
 * What of a host override a release's Unbound model lacks (opnsense/core 25.7, 26.1, 26.1.3:
 * src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml): `rr` TXT from 26.1 (model 1.0.13),
 * `addptr` from 26.1.3 (model 1.0.14; before, a PTR record is always written).
 */
import * as Effect from "effect/Effect"
import type { FirmwareVersion } from "../../Domain/Model.ts"
import { UnsupportedVersionError } from "../../Opnsense/Errors.ts"
import type { HostOverrideSpec } from "./Spec.ts"

const atLeast = (v: FirmwareVersion, major: number, minor: number, patch: number): boolean =>
  v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch

export const lacking = (spec: HostOverrideSpec, v: FirmwareVersion): ReadonlyArray<string> => [
  ...(spec.type === "TXT" && !atLeast(v, 26, 1, 0) ? ["TXT records (26.1+)"] : []),
  ...(!spec.addPtr && !atLeast(v, 26, 1, 3) ? ["reverse: false (hosts.host.addptr, 26.1.3+)"] : [])
]

/** Refuse, before anything is sent, a spec the version cannot hold. */
export const refuseUnsupported = (site: string, v: FirmwareVersion, spec: HostOverrideSpec) => {
  const missing = lacking(spec, v)
  return missing.length === 0 ? Effect.void : Effect.fail(
    new UnsupportedVersionError({
      message: `OPNsense ${v.raw} on site "${site}" cannot hold this host override: its Unbound model lacks ${
        missing.join(", ")
      } (opnsense/core: src/opnsense/mvc/app/models/OPNsense/Unbound/Unbound.xml). Upgrade the firewall or change the override`,
      site,
      version: v.raw,
      missing
    })
  )
}
