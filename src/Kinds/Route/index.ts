/** Static routes (`routes:` in YAML, routes/routes on the firewall). */
import { slug } from "../../Domain/Text.ts"
import { defineKind } from "../Kind.ts"
import { client } from "./Client.ts"
import { RouteInput } from "./Input.ts"
import { friendlyRoute } from "./Render.ts"
import { LiveRoute, RouteSpec } from "./Spec.ts"
import { checkRoutes, routeSpec } from "./Yaml.ts"

export const route = defineKind({
  name: "route",
  collection: "routes",
  noun: ["route", "routes"],
  // gateways and routes share configd `interface routes configure` (rc.routing_configure): one
  // reconfigure covers both. Registered before `gateway`, so this client's reconfigure, which
  // checks configd's answer, is the one used (opnsense/core 26.7.2:
  // src/opnsense/mvc/app/controllers/OPNsense/Routes/Api/RoutesController.php reconfigureAction).
  subsystem: "routing",
  // a route names its gateway: the gateway is written first and deleted last (the firewall refuses
  // to delete a gateway a route uses, Routing/Api/SettingsController.php delGatewayAction)
  dependsOn: ["gateway"],
  spec: RouteSpec,
  live: LiveRoute,
  yaml: {
    input: RouteInput,
    description: "static routes (System > Routes): a destination network through a gateway",
    check: (items, context) => checkRoutes(items, context),
    normalise: (input) => routeSpec(input),
    render: friendlyRoute
  },
  identity: {
    adoptionKey: (spec) => `${spec.network} via ${spec.gateway}`,
    label: (live) => `${live.spec.network} via ${live.spec.gateway}`
  },
  importer: {
    file: "routes.yaml",
    name: (live, known) =>
      known ?? live.owner ?? slug(live.spec.description) ?? slug(`${live.spec.network}-${live.spec.gateway}`) ??
        live.uuid
  },
  listing: {
    row: (r) => ({
      uuid: r.uuid,
      name: r.owner ?? `${r.spec.network} via ${r.spec.gateway}`,
      managed: r.owner !== undefined,
      origin: r.origin,
      ...r.spec
    }),
    fields: ["name", "uuid", "managed", "network", "gateway", "enabled", "description"]
  },
  client
})
