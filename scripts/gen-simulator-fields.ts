/**
 * Generates the simulator's field definitions from opnsense/core's model XML at named tags.
 *
 *   node scripts/gen-simulator-fields.ts [--core PATH] [--out DIR] TAG...
 *
 * PATH is a local opnsense/core checkout or bare mirror (default $OPNSENSE_CORE_DIR, else
 * /work/.mirror/opnsense+core/repo); every file is read with `git show TAG:path`, so the work tree
 * (if any) is never looked at. For each model below and each TAG, the model XML is read the way
 * opnsense/core's BaseModel does it (src/opnsense/mvc/app/models/OPNsense/Base/BaseModel.php
 * parseXml, getFieldObject, parseOptionData): a node's `type` names its field class (`.\X` is the
 * model's own FieldTypes namespace, a bare name OPNsense\Base\FieldTypes), child elements are
 * passed to the class's `set<Name>` setters when it has one, `value` attributes override option
 * keys. The field classes' PHP files at the same tag supply what the XML leaves out (the class
 * defaults: default value, validation message, container or leaf, text checks).
 *
 * Tags whose output is identical share one file, named after the first of them, listing all of
 * them in `tags`. Output: DIR/<Module>.<Model>.<tag>.json and DIR/index.ts (default DIR
 * src/Simulator/generated). Deterministic: the same mirror and tags give the same bytes.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

export const MODELS: ReadonlyArray<string> = [
  "Firewall/Filter",
  "Firewall/Alias",
  "Firewall/Category",
  "Firewall/DNat",
  "Interfaces/Vlan",
  "Interfaces/NetworkInterface",
  "Kea/KeaDhcpv4",
  // host overrides, their aliases and query forwarding (domain overrides); the model's other
  // sections come along, the simulator reads only `hosts.host`, `aliases.alias` and `dots.dot`
  "Unbound/Unbound",
  "Routing/Gateways",
  "Routes/Route"
]
export const DEFAULT_TAGS: ReadonlyArray<string> = ["25.7", "26.1", "26.1.3", "26.1.5", "26.7.2"]
const MODELS_DIR = "src/opnsense/mvc/app/models"

// --- a small XML reader for model files (elements, attributes, text, comments, CDATA) -----------

export interface XmlElement {
  readonly name: string
  readonly attributes: ReadonlyMap<string, string>
  readonly children: Array<XmlElement>
  text: string
}

const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16))
    if (e.startsWith("#")) return String.fromCodePoint(Number.parseInt(e.slice(1), 10))
    return { lt: "<", gt: ">", amp: "&", quot: "\"", apos: "'" }[e] ?? ""
  })

export const parseXml = (source: string): XmlElement => {
  const root: XmlElement = { name: "#document", attributes: new Map(), children: [], text: "" }
  const stack: Array<XmlElement> = [root]
  const token =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g
  const attribute = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g
  for (const m of source.matchAll(token)) {
    const top = stack[stack.length - 1]
    if (top === undefined) throw new Error("unbalanced XML")
    const [whole, cdata, close, open, attrs, selfClose, text] = m
    if (whole.startsWith("<!--") || whole.startsWith("<?")) continue
    if (cdata !== undefined) top.text += cdata
    else if (text !== undefined) top.text += decodeEntities(text)
    else if (close !== undefined) {
      if (top.name !== close) throw new Error(`unexpected </${close}> in <${top.name}>`)
      stack.pop()
    } else if (open !== undefined) {
      const attributes = new Map<string, string>()
      for (const a of (attrs ?? "").matchAll(attribute)) {
        attributes.set(a[1] ?? "", decodeEntities(a[2] ?? a[3] ?? ""))
      }
      const element: XmlElement = { name: open, attributes, children: [], text: "" }
      top.children.push(element)
      if (selfClose !== "/") stack.push(element)
    }
  }
  if (stack.length !== 1) throw new Error("unclosed XML element")
  return root
}

// --- option data as BaseModel::parseOptionData builds it (ordered, `value` attribute wins) -----

export type OptionData = string | ReadonlyArray<{ readonly key: string; readonly value: OptionData }>

const optionData = (e: XmlElement): OptionData =>
  e.children.length === 0
    ? e.text
    : e.children.map((c) => ({ key: c.attributes.get("value") ?? c.name, value: optionData(c) }))

// --- field classes from their PHP source ----------------------------------------------------------

interface PhpClass {
  readonly name: string
  readonly file: string
  readonly parent: string | undefined
  /** `protected|private $x = literal;` (strings unquoted, booleans as booleans) */
  readonly properties: Readonly<Record<string, string | boolean>>
  /** lower-case method names */
  readonly methods: ReadonlyArray<string>
  readonly defaultValidationMessage: string | undefined
  /**
   * PortField's message grows with its well-known service names when EnableWellKnown is set:
   * `$msg = gettext(A); if ($this->enableWellKnown) { $msg .= ' ' . sprintf(gettext(B), implode(', ',
   * array_keys(self::$wellknownservices))); } return $msg;` gives A, and this is " " + B filled in.
   */
  readonly wellKnownSuffix: string | undefined
}

const phpLiteral = (raw: string): string | boolean => {
  const t = raw.trim()
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === "true"
  const quoted = /^(["'])([\s\S]*)\1$/.exec(t)
  return quoted?.[2] ?? t
}

const parsePhpClass = (name: string, file: string, source: string): PhpClass => {
  const namespace = /^namespace\s+([^;]+);/m.exec(source)?.[1]?.trim() ?? ""
  const uses = new Map<string, string>()
  for (const u of source.matchAll(/^use\s+([^;\s]+)(?:\s+as\s+(\w+))?\s*;/gm)) {
    const full = u[1] ?? ""
    uses.set(u[2] ?? full.split("\\").pop() ?? full, full)
  }
  // a file may hold helper classes too (FilterRuleField.php): keep only this class's body
  const short = name.split("\\").pop() ?? name
  const start = new RegExp(`^(?:abstract\\s+|final\\s+)?class\\s+${short}\\b`, "m").exec(source)
  const rest = start === null ? source : source.slice(start.index)
  const next = /^(?:abstract\s+|final\s+)?class\s+\w+/m.exec(rest.slice(1))
  const body = next === null ? rest : rest.slice(0, next.index + 1)
  const ext = /\bclass\s+\w+\s+extends\s+([\w\\]+)/.exec(body)?.[1]
  const parent = ext === undefined
    ? undefined
    : ext.startsWith("\\")
    ? ext.slice(1)
    : uses.get(ext.split("\\")[0] ?? ext) !== undefined
    ? `${uses.get(ext.split("\\")[0] ?? ext)}${ext.includes("\\") ? ext.slice(ext.indexOf("\\")) : ""}`
    : `${namespace}\\${ext}`
  const properties: Record<string, string | boolean> = {}
  for (const p of body.matchAll(/^\s*(?:protected|private|public)\s+(?:static\s+)?\$(\w+)\s*=\s*([^;]+);/gm)) {
    properties[p[1] ?? ""] = phpLiteral(p[2] ?? "")
  }
  const methods = [...body.matchAll(/function\s+(\w+)\s*\(/g)].map((f) => (f[1] ?? "").toLowerCase())
  const message = /function\s+defaultValidationMessage\s*\(\)[^{]*\{\s*return\s+gettext\((["'])(.*?)\1\)/s.exec(body)
  const composed =
    /function\s+defaultValidationMessage\s*\(\)[^{]*\{\s*\$msg\s*=\s*gettext\((["'])(.*?)\1\);\s*if\s*\(\$this->enableWellKnown\)\s*\{\s*\$msg\s*\.=\s*' '\s*\.\s*sprintf\(gettext\((["'])(.*?)\3\),\s*implode\(', ',\s*array_keys\(self::\$wellknownservices\)\)\);\s*\}\s*return\s+\$msg;/s
      .exec(body)
  const services = /\$wellknownservices\s*=\s*\[([\s\S]*?)\];/.exec(body)?.[1] ?? ""
  const names = [...services.matchAll(/(["'])([^"']+)\1\s*=>/g)].map((m) => m[2] ?? "")
  return {
    name,
    file,
    parent,
    properties,
    methods,
    defaultValidationMessage: message?.[2] ?? composed?.[2],
    wellKnownSuffix: composed === null ? undefined : ` ${(composed[4] ?? "").replace("%s", names.join(", "))}`
  }
}

// --- the generated format -------------------------------------------------------------------------

export interface GeneratedOption {
  readonly value: string
  readonly label: string
  readonly optgroup?: string
}

export interface GeneratedField {
  /** dotted from the model's items, e.g. `rules.rule.enabled` */
  readonly path: string
  /** the `type` attribute as written */
  readonly type: string
  /** class chain, most derived first, short names (e.g. FilterSequenceField, IntegerField, BaseField) */
  readonly classes: ReadonlyArray<string>
  readonly container: boolean
  readonly array: boolean
  readonly volatile: boolean
  readonly required: boolean
  readonly default: string
  readonly multiple: boolean
  readonly validationMessage?: string
  readonly mask?: string
  readonly minimum?: string
  readonly maximum?: string
  readonly blankDesc?: string
  /** OptionField option list (OptionField::setOptionValues: an empty label is the key) */
  readonly options?: ReadonlyArray<GeneratedOption>
  /** TextField checks (TextField::getValidators) */
  readonly allowSpaces?: boolean
  readonly allowNewlines?: boolean
  readonly allowSpecial?: boolean
  /** every child element passed to a setter, as parseOptionData gives it */
  readonly properties: ReadonlyArray<{ readonly key: string; readonly value: OptionData }>
  /** child elements the class has no setter for (BaseModel ignores them) */
  readonly ignored?: ReadonlyArray<string>
}

export interface GeneratedModel {
  readonly generator: string
  readonly repository: string
  readonly file: string
  readonly tag: string
  readonly tags: ReadonlyArray<string>
  readonly mount: string
  readonly version: string
  readonly fieldTypes: Readonly<Record<string, string>>
  readonly fields: ReadonlyArray<GeneratedField>
}

// --- reading one model at one tag -------------------------------------------------------------------

const classFile = (fqcn: string) => `${MODELS_DIR}/${fqcn.replaceAll("\\", "/")}.php`

export const readModel = (show: (tag: string, path: string) => string | undefined, model: string, tag: string) => {
  const file = `${MODELS_DIR}/OPNsense/${model}.xml`
  const xml = show(tag, file)
  if (xml === undefined) return undefined
  const doc = parseXml(xml).children.find((e) => e.name === "model")
  if (doc === undefined) throw new Error(`${tag}:${file}: no <model>`)
  const child = (name: string) => doc.children.find((e) => e.name === name)
  const namespace = `OPNsense\\${model.split("/").slice(0, -1).join("\\")}`
  const classes = new Map<string, PhpClass>()
  const classOf = (fqcn: string): PhpClass => {
    const hit = classes.get(fqcn)
    if (hit !== undefined) return hit
    const path = classFile(fqcn)
    const source = show(tag, path)
    if (source === undefined) throw new Error(`${tag}: ${fqcn} not found at ${path}`)
    const c = parsePhpClass(fqcn, path, source)
    classes.set(fqcn, c)
    return c
  }
  const chainOf = (fqcn: string): Array<PhpClass> => {
    const out: Array<PhpClass> = []
    for (let c: string | undefined = fqcn; c !== undefined; c = classOf(c).parent) {
      out.push(classOf(c))
      if (c === "OPNsense\\Base\\FieldTypes\\BaseField") break
    }
    return out
  }
  const resolve = (type: string | undefined): string =>
    type === undefined || type === ""
      ? "OPNsense\\Base\\FieldTypes\\ContainerField"
      : type.startsWith(".\\")
      ? `${namespace}\\FieldTypes\\${type.slice(2)}`
      : type.includes("\\")
      ? type.replace(/^\\/, "")
      : `OPNsense\\Base\\FieldTypes\\${type}`

  const fields: Array<GeneratedField> = []
  const fieldTypes: Record<string, string> = {}
  const walk = (e: XmlElement, prefix: string) => {
    const path = prefix === "" ? e.name : `${prefix}.${e.name}`
    const type = e.attributes.get("type") ?? ""
    const chain = chainOf(resolve(type))
    for (const c of chain) fieldTypes[c.name.split("\\").pop() ?? c.name] = c.file
    // most derived wins (PHP property overriding)
    const props: Record<string, string | boolean> = {}
    for (const c of [...chain].reverse()) Object.assign(props, c.properties)
    const container = props["internalIsContainer"] !== false
    const array = chain.some((c) => c.name === "OPNsense\\Base\\FieldTypes\\ArrayField")
    const short = chain.map((c) => c.name.split("\\").pop() ?? c.name)
    if (container) {
      fields.push({
        path,
        type,
        classes: short,
        container: true,
        array,
        volatile: e.attributes.get("volatile") === "true",
        required: false,
        default: "",
        multiple: false,
        properties: []
      })
      for (const c of e.children) walk(c, path)
      return
    }
    const methods = new Set(chain.flatMap((c) => c.methods))
    const properties: Array<{ key: string; value: OptionData }> = []
    const ignored: Array<string> = []
    for (const c of e.children) {
      if (methods.has(`set${c.name}`.toLowerCase())) properties.push({ key: c.name, value: optionData(c) })
      else ignored.push(c.name)
    }
    const prop = (key: string): OptionData | undefined => properties.find((p) => p.key === key)?.value
    const text = (key: string): string | undefined => {
      const v = prop(key)
      return typeof v === "string" ? v : undefined
    }
    const yes = (key: string, fallback: boolean): boolean => {
      const v = text(key)
      return v === undefined ? fallback : v.trim().toUpperCase() === "Y"
    }
    const flag = (name: string): boolean | undefined => (typeof props[name] === "boolean" ? props[name] : undefined)
    const classDefault = typeof props["internalDefaultValue"] === "string" ? props["internalDefaultValue"] : ""
    const owner = chain.find((c) => c.defaultValidationMessage !== undefined)
    const message = text("ValidationMessage") ??
      (owner?.defaultValidationMessage === undefined
        ? undefined
        : `${owner.defaultValidationMessage}${yes("EnableWellKnown", false) ? (owner.wellKnownSuffix ?? "") : ""}`)
    const optionValues = prop("OptionValues")
    const options: Array<GeneratedOption> = []
    if (optionValues !== undefined && typeof optionValues !== "string" && short.includes("OptionField")) {
      // OptionField::setOptionValues: one level of optgroups, an empty label is the key
      for (const o of optionValues) {
        if (typeof o.value === "string") options.push({ value: o.key, label: o.value === "" ? o.key : o.value })
        else {
          for (const s of o.value) {
            const label = typeof s.value === "string" && s.value !== "" ? s.value : o.key
            options.push({ value: s.key, label, optgroup: o.key })
          }
        }
      }
    }
    const textField = short.includes("TextField")
    const mask = text("Mask") ?? (typeof props["internalMask"] === "string" && props["internalMask"] !== "null"
      ? props["internalMask"]
      : undefined)
    const field: GeneratedField = {
      path,
      type,
      classes: short,
      container: false,
      array: false,
      volatile: e.attributes.get("volatile") === "true",
      required: yes("Required", flag("internalIsRequired") ?? false),
      default: text("Default") ?? classDefault,
      multiple: yes("Multiple", flag("internalMultiSelect") ?? false),
      ...(message === undefined ? {} : { validationMessage: message }),
      ...(mask === undefined ? {} : { mask }),
      ...(text("MinimumValue") === undefined ? {} : { minimum: text("MinimumValue") ?? "" }),
      ...(text("MaximumValue") === undefined ? {} : { maximum: text("MaximumValue") ?? "" }),
      ...(text("BlankDesc") === undefined ? {} : { blankDesc: text("BlankDesc") ?? "" }),
      ...(options.length === 0 ? {} : { options }),
      ...(textField
        ? {
          allowSpaces: flag("internalAllowSpaces") ?? true,
          allowNewlines: flag("internalAllowNewlines") ?? true,
          allowSpecial: flag("internalAllowSpecial") ?? true
        }
        : {}),
      properties,
      ...(ignored.length === 0 ? {} : { ignored })
    }
    fields.push(field)
  }
  const items = child("items")
  if (items === undefined) throw new Error(`${tag}:${file}: no <items>`)
  for (const e of items.children) walk(e, "")
  const sortedTypes: Record<string, string> = {}
  for (const k of Object.keys(fieldTypes).sort()) sortedTypes[k] = fieldTypes[k] ?? ""
  return {
    file,
    mount: child("mount")?.text.trim() ?? "",
    version: child("version")?.text.trim() ?? "",
    fieldTypes: sortedTypes,
    fields
  }
}

// --- driving it ---------------------------------------------------------------------------------------

export const fileName = (model: string, tag: string) => `${model.replace("/", ".")}.${tag}.json`

/** Every output file's name and text, for the given core repository and tags. */
export const generate = (core: string, tags: ReadonlyArray<string>): Map<string, string> => {
  const show = (tag: string, path: string): string | undefined => {
    try {
      return execFileSync("git", ["-C", core, "show", `${tag}:${path}`], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "ignore"]
      })
    } catch {
      return undefined
    }
  }
  for (const tag of tags) {
    if (show(tag, `${MODELS_DIR}/OPNsense/Base/BaseModel.php`) === undefined) {
      throw new Error(`tag ${tag} not found in ${core}`)
    }
  }
  const out = new Map<string, string>()
  const index: Array<string> = []
  for (const model of MODELS) {
    const groups: Array<{ key: string; tags: Array<string>; body: NonNullable<ReturnType<typeof readModel>> }> = []
    for (const tag of tags) {
      const body = readModel(show, model, tag)
      if (body === undefined) continue
      const key = JSON.stringify(body)
      const same = groups.find((g) => g.key === key)
      if (same !== undefined) same.tags.push(tag)
      else groups.push({ key, tags: [tag], body })
    }
    for (const g of groups) {
      const tag = g.tags[0] ?? ""
      const doc: GeneratedModel = {
        generator: "scripts/gen-simulator-fields.ts",
        repository: "opnsense/core",
        file: g.body.file,
        tag,
        tags: g.tags,
        mount: g.body.mount,
        version: g.body.version,
        fieldTypes: g.body.fieldTypes,
        fields: g.body.fields
      }
      const name = fileName(model, tag)
      out.set(name, `${JSON.stringify(doc, null, 2)}\n`)
      index.push(name)
    }
  }
  const ident = (name: string) => `m_${name.replace(/\.json$/, "").replace(/[^A-Za-z0-9]/g, "_")}`
  out.set(
    "index.ts",
    [
      "// Generated by scripts/gen-simulator-fields.ts from opnsense/core; do not edit (npm run gen:fields).",
      // sorted by specifier, as the project's formatter (dprint) orders imports
      ...[...index].sort().map((n) => `import ${ident(n)} from "./${n}" with { type: "json" }`),
      "",
      "export const generatedModels: ReadonlyArray<unknown> = [",
      ...index.map((n, i) => `  ${ident(n)}${i === index.length - 1 ? "" : ","}`),
      "]",
      ""
    ].join("\n")
  )
  return out
}

const main = (argv: ReadonlyArray<string>) => {
  let core = process.env["OPNSENSE_CORE_DIR"] ?? "/work/.mirror/opnsense+core/repo"
  let outDir = "src/Simulator/generated"
  const tags: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ""
    if (a === "--core") core = argv[++i] ?? core
    else if (a === "--out") outDir = argv[++i] ?? outDir
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`)
    else tags.push(a)
  }
  const files = generate(core, tags.length === 0 ? DEFAULT_TAGS : tags)
  mkdirSync(outDir, { recursive: true })
  for (const old of readdirSync(outDir)) if (old.endsWith(".json")) rmSync(join(outDir, old))
  for (const [name, text] of files) writeFileSync(join(outDir, name), text)
  console.log(`wrote ${files.size} files to ${outDir}`)
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2))
