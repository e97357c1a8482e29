/**
 * `firewall/category` (opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/CategoryController.php):
 * wrapper `category`, unique names (Category.xml UniqueConstraint), name and colour masks from the
 * model, safe-delete (500 "Item in use by" when any rule or alias references the uuid).
 */
import { addItem, delItem, getItem, itemsMap, type Resource, setItem } from "./Crud.ts"
import { encodeGet, encodeRow, splitList, type Table, validateFields } from "./Fields.ts"
import { generatedTable } from "./Generated.ts"
import type { Controller } from "./Router.ts"
import { grid, gridParams, json, userException } from "./Wire.ts"

/** `categories.category` of opnsense/core src/opnsense/mvc/app/models/OPNsense/Firewall/Category.xml (generated). */
export const categoryTable: Table = generatedTable("Firewall/Category", "categories.category")

export const categoryResource: Resource = {
  wrapper: "category",
  table: categoryTable,
  collection: (c) => c.state.categories,
  validate: (c, item, _old, uuid, m) => {
    validateFields(categoryTable, item, "category", c, m)
    const other = c.state.categories.find("name", item["name"] ?? "")
    if (other !== undefined && other !== uuid) m.add("category.name", "A category with this name already exists.")
  },
  deleteBlocker: (c, uuid, item) => {
    const lines: Array<string> = []
    let i = 0
    for (const r of c.state.rules.values()) {
      if (splitList(r["categories"] ?? "").includes(uuid)) {
        lines.push(`Firewall - ${r["description"] ?? ""} {rules.rule.${i}.categories}`)
      }
      i++
    }
    i = 0
    for (const a of c.state.aliases.values()) {
      if (splitList(a["categories"] ?? "").includes(uuid)) {
        lines.push(`Firewall - ${a["description"] ?? ""} {aliases.alias.${i}.categories}`)
      }
      i++
    }
    if (lines.length === 0) return undefined
    const title = c.v.series === "26.7"
      ? `Item categories.category {${item["name"] ?? ""}} in use by:`
      : "Item in use by"
    return userException(c.v, lines.join("\n"), title)
  },
  afterWrite: (c, _uuid, old, item) => {
    const from = old?.["name"]
    const to = item?.["name"]
    // renaming refactors name-based references (DNat `category`)
    if (from !== undefined && to !== undefined && from !== to) {
      for (const [uuid, rule] of [...c.state.dnat.entries()]) {
        const names = splitList(rule["category"] ?? "")
        if (names.includes(from)) {
          c.state.dnat.put(uuid, { ...rule, category: names.map((n) => (n === from ? to : n)).join(",") })
        }
      }
    }
    c.state.labelsEpoch++
  },
  encode: (c, item) => encodeGet(categoryTable, item, c, { twins: c.v.twinsInGet })
}

export const controller: Controller = {
  module: "firewall",
  controller: "category",
  actions: {
    search_item: {
      handle: (req, c) =>
        grid(
          [...c.state.categories.entries()].map(([uuid, item]) => encodeRow(categoryTable, uuid, item, c)),
          gridParams(req.body, req.query, false),
          { defaultSort: "name" }
        )
    },
    get_item: getItem(categoryResource),
    add_item: addItem(categoryResource),
    set_item: setItem(categoryResource),
    del_item: delItem(categoryResource),
    get: {
      handle: (
        req,
        c
      ) => (req.isGet ? json({ category: { categories: { category: itemsMap(categoryResource, c) } } }) : json([]))
    }
  }
}
