/** Gateways (`gateways:` in YAML, routing/settings on the firewall). */
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { GatewayInput } from "./Input.ts"
import { friendlyGateway } from "./Render.ts"
import { GatewaySpec, LiveGateway } from "./Spec.ts"
import { checkGateways, gatewaySpec } from "./Yaml.ts"

export const gateway = defineKind({
  name: "gateway",
  collection: "gateways",
  noun: ["gateway", "gateways"],
  // routing/settings/reconfigure and routes/routes/reconfigure both run configd
  // `interface routes configure` (opnsense/core 25.7, 26.1.x, 26.7.2:
  // src/opnsense/mvc/app/controllers/OPNsense/Routing/Api/SettingsController.php reconfigureAction,
  // src/opnsense/mvc/app/controllers/OPNsense/Routes/Api/RoutesController.php reconfigureAction)
  subsystem: "routing",
  dependsOn: [],
  spec: GatewaySpec,
  live: LiveGateway,
  yaml: {
    input: GatewayInput,
    description: "gateways (System > Gateways): next hops static routes and policy-routing rules name",
    check: (items) => checkGateways(items),
    normalise: (input) => gatewaySpec(input),
    render: (_name, spec) => friendlyGateway(spec)
  },
  identity: {
    // the name is unique and cannot change (opnsense/core 26.7.2:
    // src/opnsense/mvc/app/models/OPNsense/Routing/Gateways.php validateNameChange)
    adoptionKey: (spec) => spec.name,
    label: (live) => live.spec.name
  },
  importer: {
    file: "gateways.yaml",
    name: (live) => live.spec.name,
    fixedName: true
  },
  listing: {
    row: (g) => ({ uuid: g.uuid, managed: g.owner !== undefined, origin: g.origin, ...g.spec }),
    fields: ["name", "uuid", "managed", "interface", "ipVersion", "address", "description"]
  },
  client
})
