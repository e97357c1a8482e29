/**
 * How the reconciler reaches the firewall of a site: one Opnsense client per site, built by the
 * composition (src/Runtime.ts, through src/Target.ts) and handed in. Tests provide a layer that
 * points every site at a simulator.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { SiteConfig } from "../Domain/Desired.ts"
import type { OpnsenseShape } from "../Opnsense.ts"
import type { OpnsenseError } from "../Opnsense/Errors.ts"

export interface FirewallsShape {
  /** the client for this site; the same instance for repeated calls (its cache and breaker live in it) */
  readonly forSite: (site: SiteConfig) => Effect.Effect<OpnsenseShape, OpnsenseError>
}

export class Firewalls extends Context.Service<Firewalls, FirewallsShape>()("opnsense-mcp/Firewalls") {}
