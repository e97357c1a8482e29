/** Filter rules (`rules:` in YAML, firewall/filter on the firewall), in evaluation order. */
import { EndpointObject } from "../../DesiredState/Fields.ts"
import { maxSequence } from "../../Reconciler/Sequence.ts"
import { defineKind } from "../Kind.ts"
import { orderedIdentity, orderedImportName, orderedRow } from "../Ordered.ts"
import { client } from "./Client.ts"
import { RuleInput } from "./Input.ts"
import { friendlyRule } from "./Render.ts"
import { LiveRule, RuleSpec } from "./Spec.ts"
import { checkRules, ruleSpec } from "./Yaml.ts"

const endpointFields = Object.keys(EndpointObject.fields)

export const rule = defineKind({
  name: "rule",
  collection: "rules",
  noun: ["rule", "rules"],
  subsystem: "rule",
  // rules name aliases in their addresses and ports, and interfaces (an assignment's identifier or
  // description): VLAN → assignment → rule follows from this and the assignment's own dependsOn
  dependsOn: ["alias", "assignment"],
  spec: RuleSpec,
  live: LiveRule,
  yaml: {
    input: RuleInput,
    description: "evaluation order: file order, files in lexical order",
    nested: { source: endpointFields, destination: endpointFields },
    check: (items, context) => checkRules(items, context.aliases),
    normalise: (input) => ruleSpec(input),
    render: friendlyRule
  },
  // no natural key: adopted only when every field is equal
  identity: orderedIdentity((rules) => [`${rules.length} legacy/automatic rules: read-only in the API, never managed`]),
  sequence: { of: (live) => live.sequence, max: maxSequence },
  importer: {
    file: "rules.yaml",
    name: orderedImportName("rule")
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
      "action",
      "interfaces",
      "protocol",
      "source",
      "destination",
      "description"
    ]
  },
  client
})
