/** Unbound domain overrides (`domain_overrides:` in YAML, unbound/settings query forwarding on the firewall). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { DomainOverrideInput } from "./Input.ts"
import { friendlyDomainOverride } from "./Render.ts"
import { domainKey, DomainOverrideSpec, LiveDomainOverride } from "./Spec.ts"
import { checkDomainOverrides, domainOverrideSpec } from "./Yaml.ts"

export const domainOverride = defineKind({
  name: "domain_override",
  collection: "domain_overrides",
  noun: ["domain override", "domain overrides"],
  subsystem: "unbound",
  dependsOn: [],
  spec: DomainOverrideSpec,
  live: LiveDomainOverride,
  yaml: {
    input: DomainOverrideInput,
    description: "Unbound DNS domain overrides: queries for a domain go to the given server",
    check: (items) => checkDomainOverrides(items),
    normalise: (input) => domainOverrideSpec(input),
    render: friendlyDomainOverride
  },
  identity: {
    adoptionKey: domainKey,
    label: (live) => domainKey(live.spec)
  },
  importer: {
    file: "domain-overrides.yaml",
    name: (live, known) => known ?? live.owner ?? slug(`${live.spec.domain}-${live.spec.server}`) ?? live.uuid
  },
  listing: {
    row: (d) => ({
      uuid: d.uuid,
      name: d.owner ?? domainKey(d.spec),
      managed: d.owner !== undefined,
      origin: d.origin,
      ...d.spec
    }),
    fields: ["name", "uuid", "managed", "domain", "server", "port", "enabled", "description"]
  },
  client
})
