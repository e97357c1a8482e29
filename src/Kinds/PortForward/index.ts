/**
 * Port forwards (`port_forwards:` in YAML, firewall/d_nat on the firewall, 26.1+), in evaluation
 * order: pf meets redirect rules before filter rules, in sequence order, and the first match wins.
 */
import { EndpointObject } from "../../DesiredState/Fields.ts"
import { defineKind } from "../Kind.ts"
import { orderedIdentity, orderedImportName, orderedRow } from "../Ordered.ts"
import { client, MAX_SEQUENCE } from "./Client.ts"
import { PortForwardInput } from "./Input.ts"
import { friendlyPortForward } from "./Render.ts"
import { LivePortForward, PortForwardSpec } from "./Spec.ts"
import { unavailable } from "./Version.ts"
import { checkPortForwards, portForwardSpec } from "./Yaml.ts"

const endpointFields = Object.keys(EndpointObject.fields)

export const portForward = defineKind({
  name: "port_forward",
  collection: "port_forwards",
  noun: ["port forward", "port forwards"],
  // d_nat's apply is FilterBaseController::applyAction, the same `filter reload` as firewall/filter/apply
  // (opnsense/core 26.1, 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php):
  // one reload after rules and port forwards makes both active
  subsystem: "rule",
  // port forwards name aliases in their addresses, ports and target
  dependsOn: ["alias"],
  spec: PortForwardSpec,
  live: LivePortForward,
  yaml: {
    input: PortForwardInput,
    description: "evaluation order: file order, files in lexical order; the first matching port forward translates",
    nested: { source: endpointFields, destination: endpointFields },
    check: (items, context) => checkPortForwards(items, context.aliases),
    normalise: (input) => portForwardSpec(input),
    render: friendlyPortForward
  },
  // no natural key: adopted only when every field is equal
  identity: orderedIdentity((
    automatic
  ) => [`${automatic.length} anti-lockout port forward exceptions: automatic, never managed`]),
  sequence: { of: (live) => live.sequence, max: () => MAX_SEQUENCE },
  unavailable,
  importer: {
    file: "port-forwards.yaml",
    name: orderedImportName("port-forward")
  },
  listing: {
    row: orderedRow,
    fields: [
      "name",
      "uuid",
      "managed",
      "origin",
      "sequence",
      "enabled",
      "interfaces",
      "protocol",
      "destination",
      "target",
      "localPort",
      "description"
    ]
  },
  client
})
