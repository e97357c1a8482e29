/** Unbound host overrides with their aliases (`host_overrides:` in YAML, unbound/settings on the firewall). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { HostOverrideInput } from "./Input.ts"
import { hostKey } from "./Names.ts"
import { friendlyHostOverride } from "./Render.ts"
import { HostOverrideSpec, LiveHostOverride } from "./Spec.ts"
import { lacking } from "./Versions.ts"
import { checkHostOverrides, hostOverrideSpec } from "./Yaml.ts"

const fqdn = (spec: HostOverrideSpec) => `${spec.hostname === "" ? "" : `${spec.hostname}.`}${spec.domain}`

export const hostOverride = defineKind({
  name: "host_override",
  collection: "host_overrides",
  noun: ["host override", "host overrides"],
  subsystem: "unbound",
  dependsOn: [],
  spec: HostOverrideSpec,
  live: LiveHostOverride,
  yaml: {
    input: HostOverrideInput,
    description: "Unbound DNS host overrides (A, AAAA, MX, TXT records) with their aliases",
    check: (items) => checkHostOverrides(items),
    normalise: (input) => hostOverrideSpec(input),
    render: friendlyHostOverride
  },
  identity: {
    // one record of a type per name: A and AAAA of one host are two overrides
    adoptionKey: (spec) => hostKey(spec.hostname, spec.domain, spec.type),
    label: (live) => `${fqdn(live.spec)} ${live.spec.type}`
  },
  unsupported: lacking,
  importer: {
    file: "host-overrides.yaml",
    // by name and type: an A and an AAAA override often share one description
    name: (live, known) =>
      known ?? live.owner ??
        slug(
          `${live.spec.hostname === "*" ? "wildcard" : live.spec.hostname}.${live.spec.domain}${
            live.spec.type === "A" ? "" : `-${live.spec.type}`
          }`.replace(/^\./, "")
        ) ?? live.uuid
  },
  listing: {
    row: (h) => ({
      uuid: h.uuid,
      name: h.owner ?? fqdn(h.spec),
      managed: h.owner !== undefined,
      origin: h.origin,
      ...h.spec
    }),
    fields: ["name", "uuid", "managed", "hostname", "domain", "type", "server", "aliases", "description"]
  },
  client
})
