/** 1:1 NAT entries (`one_to_one_nat:` in YAML, firewall/one_to_one on the firewall), in evaluation order. */
import { maxSequence } from "../../Reconciler/Sequence.ts"
import { defineKind } from "../Kind.ts"
import { everyFieldEqual, orderedImportName, orderedRow } from "../Ordered.ts"
import { client } from "./Client.ts"
import { OneToOneInput } from "./Input.ts"
import { friendlyOneToOne } from "./Render.ts"
import { LiveOneToOne, OneToOneSpec } from "./Spec.ts"
import { checkOneToOne, oneToOneSpec } from "./Yaml.ts"

export const oneToOne = defineKind({
  name: "one_to_one_nat",
  collection: "one_to_one_nat",
  noun: ["1:1 NAT entry", "1:1 NAT entries"],
  // opnsense/core 25.7, 26.1.5, 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php
  // applyAction is the one `filter reload` of filter rules, source NAT and 1:1 NAT alike
  subsystem: "rule",
  // internal and destination may name aliases
  dependsOn: ["alias"],
  spec: OneToOneSpec,
  live: LiveOneToOne,
  yaml: {
    input: OneToOneInput,
    description: "evaluation order: file order, files in lexical order",
    nested: { internal: ["address", "invert"], destination: ["address", "invert"] },
    check: checkOneToOne,
    normalise: (input) => oneToOneSpec(input),
    render: friendlyOneToOne
  },
  identity: {
    // adopted only when every field is equal: two entries may share an external address when one is disabled
    adoptionKey: everyFieldEqual,
    label: (live) => live.spec.description || `${live.spec.external} ↔ ${live.spec.internal}`,
    unmanagedLabel: (live) => live.spec.description || `${live.spec.external} ↔ ${live.spec.internal}`
  },
  sequence: { of: (live) => live.sequence, max: maxSequence },
  importer: {
    file: "one-to-one-nat.yaml",
    name: orderedImportName("one-to-one")
  },
  listing: {
    row: orderedRow,
    fields: [
      "name",
      "uuid",
      "managed",
      "sequence",
      "enabled",
      "interface",
      "type",
      "internal",
      "external",
      "description"
    ]
  },
  client
})
