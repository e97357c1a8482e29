/**
 * Canonical specs back to the friendly YAML people write: used by `import` to adopt a firewall
 * and by propose_change to turn a spec into an item. Defaults are left out, so the output reads
 * like hand-written files; loading it gives back exactly the same canonical specs.
 */
import { Document, isMap, isScalar, isSeq, visit } from "yaml"
import type { Intent } from "../Domain/Intent.ts"
import type { Endpoint } from "../Domain/Model.ts"
import { kindAt } from "../Kinds/Registry.ts"

export type FriendlyItem = { readonly name: string } & Readonly<Record<string, unknown>>

/** "443" as 443, so ports and numbers read as people write them. */
export const numeric = (value: string): string | number => (/^[1-9]\d{0,9}$/.test(value) ? Number(value) : value)

/** An endpoint in its shortest YAML form: an address, a list, or a mapping with port/invert. */
export const friendlyEndpoint = (endpoint: Endpoint): unknown => {
  const { addresses, port, invert } = endpoint
  const address = addresses.length === 1 ? addresses[0] : addresses.length > 1 ? [...addresses] : undefined
  if (port === "" && !invert) return address
  return {
    ...(address !== undefined ? { address } : {}),
    ...(port !== "" ? { port: numeric(port) } : {}),
    ...(invert ? { invert: true } : {})
  }
}

/** Short lists and endpoint mappings in flow style (`[a, b]`, `{ address: x, port: 53 }`), like the examples. */
export const styleItemNodes = (doc: Document): void => {
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : ""
      if ((key === "source" || key === "destination") && isMap(pair.value)) pair.value.flow = true
      if (
        (key === "content" || key === "interface" || key === "categories" || key === "address") && isSeq(pair.value)
      ) {
        pair.value.flow = pair.value.items.length <= 8
      }
    }
  })
}

/** An item to render: its name (an alias's is in its spec) and canonical spec. */
export interface RenderItem {
  readonly name?: string
  readonly spec: unknown
}

/**
 * Items per top-level key ("rules"; rules in evaluation order). Other keys are ignored, so a
 * loaded site renders as it is.
 */
export type RenderInput = { readonly [key: string]: unknown }

const isItems = (value: unknown): value is ReadonlyArray<RenderItem> => Array.isArray(value)

const friendlyIntent = (intent: Intent): FriendlyItem => ({
  name: intent.name,
  from: intent.from,
  to: intent.to,
  ...(intent.protocol !== undefined ? { protocol: intent.protocol } : {}),
  ...(intent.port !== undefined ? { port: numeric(intent.port) } : {}),
  ...(intent.interface !== undefined ? { interface: intent.interface } : {}),
  expect: intent.expect
})

const isIntents = (value: unknown): value is ReadonlyArray<Intent> => Array.isArray(value)

/** One YAML file holding the given items (and `intents`, written as they were read); kinds without items are left out. */
export const renderYaml = (input: RenderInput, options: { readonly header?: string } = {}): string => {
  const content = Object.fromEntries(
    Object.entries(input).flatMap(([collection, items]) => {
      const kind = kindAt(collection)
      return kind === undefined || !isItems(items) || items.length === 0
        ? []
        : [[collection, items.map((item) => kind.yaml.render(item.name ?? "", item.spec))]]
    })
  )
  // intents are not a kind: written back so the site reads back with the same digest (Intents.ts)
  if (isIntents(input["intents"]) && input["intents"].length > 0) {
    content["intents"] = input["intents"].map(friendlyIntent)
  }
  const doc = new Document(content)
  styleItemNodes(doc)
  if (options.header !== undefined) doc.commentBefore = options.header.split("\n").map((l) => ` ${l}`).join("\n")
  return doc.toString({ lineWidth: 0 })
}
