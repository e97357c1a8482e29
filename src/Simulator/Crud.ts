/**
 * The generic item endpoints of ApiMutableModelControllerBase (opnsense/core 26.7.2:
 * src/opnsense/mvc/app/controllers/OPNsense/Base/ApiMutableModelControllerBase.php getBase, addBase,
 * setBase, delBase, toggleBase), written once and
 * parameterised per resource: get/add/set (with upsert)/del (with comma lists from 26.1.3)/toggle, and
 * the whole-model get.
 */
import { applyPost, defaults, type Table } from "./Fields.ts"
import type { Action, Ctx, Request } from "./Router.ts"
import type { Collection } from "./State.ts"
import {
  Fail,
  failed,
  isRecord,
  type Item,
  json,
  Messages,
  newUuid,
  type Reply,
  resultFailed,
  UUID_V4
} from "./Wire.ts"

export interface Resource {
  /** item wrapper key in requests and get responses, e.g. `vlan`, `rule`, `alias` */
  readonly wrapper: string
  readonly table: Table
  readonly collection: (ctx: Ctx) => Collection
  /** Controller overlays (generated names, computed fields) on a posted item before validation. */
  readonly complete?: (ctx: Ctx, item: Record<string, string>, old: Item | undefined, uuid: string) => void
  /** Field and cross-field validation of the whole item. */
  readonly validate: (ctx: Ctx, item: Item, old: Item | undefined, uuid: string, messages: Messages) => void
  /** Checks that refuse a set outright (e.g. VLAN rename while assigned), before validation. */
  readonly refuseSet?: (ctx: Ctx, item: Item, old: Item) => Reply | undefined
  /** Thrown Fail (500 UserException) when an item may not be deleted. */
  readonly deleteBlocker?: (ctx: Ctx, uuid: string, item: Item) => Fail | undefined
  /** the blocker is the controller's delItemAction, not delBase's safe-delete (see `controllerDeleteLists`) */
  readonly blockerInController?: boolean
  readonly afterWrite?: (ctx: Ctx, uuid: string, old: Item | undefined, item: Item | undefined) => void
  readonly encode: (ctx: Ctx, item: Item, uuid: string | undefined) => Record<string, unknown>
}

/** The posted wrapper object, or undefined when missing or not a POST (→ `{"result":"failed"}`). */
export const posted = (req: Request, wrapper: string): Readonly<Record<string, unknown>> | undefined => {
  if (!req.isPost) return undefined
  const w = req.body[wrapper]
  return isRecord(w) ? w : undefined
}

const build = (r: Resource, ctx: Ctx, post: Readonly<Record<string, unknown>>, old: Item | undefined, uuid: string) => {
  const item = applyPost(r.table, old ?? defaults(r.table, ctx.v), post, ctx.v)
  r.complete?.(ctx, item, old, uuid)
  return item
}

const write = (r: Resource, ctx: Ctx, req: Request, uuid: string, old: Item | undefined, item: Item): void => {
  r.collection(ctx).put(uuid, item)
  r.afterWrite?.(ctx, uuid, old, item)
  ctx.save(req)
}

export const addItem = (r: Resource): Action => ({
  handle: (req, ctx) => {
    const post = posted(req, r.wrapper)
    if (post === undefined) return resultFailed
    const uuid = newUuid()
    const item = build(r, ctx, post, undefined, uuid)
    const messages = new Messages()
    r.validate(ctx, item, undefined, uuid, messages)
    if (messages.size > 0) return failed(messages)
    write(r, ctx, req, uuid, undefined, item)
    return json({ result: "saved", uuid })
  }
})

export const setItem = (r: Resource): Action => ({
  params: 1,
  handle: (req, ctx) => {
    const post = posted(req, r.wrapper)
    const uuid = req.params[0] ?? ""
    if (post === undefined) return resultFailed
    const old = r.collection(ctx).get(uuid)
    // an unknown but well-formed lowercase UUIDv4 is created with that uuid (upsert, §5.4)
    if (old === undefined && !UUID_V4.test(uuid)) return resultFailed
    const item = build(r, ctx, post, old, uuid)
    if (old !== undefined) {
      const refused = r.refuseSet?.(ctx, item, old)
      if (refused !== undefined) return refused
    }
    const messages = new Messages()
    r.validate(ctx, item, old, uuid, messages)
    if (messages.size > 0) return failed(messages)
    write(r, ctx, req, uuid, old, item)
    return json({ result: "saved" })
  }
})

export const delItem = (r: Resource): Action => ({
  params: 1,
  handle: (req, ctx) => {
    if (!req.isPost) return resultFailed
    const param = req.params[0] ?? ""
    const uuids = ctx.v.deleteLists ? param.split(",") : [param]
    const col = r.collection(ctx)
    // a controller that looks the whole list up as one uuid finds nothing to check
    const checked = uuids.length === 1 || r.blockerInController !== true || ctx.v.controllerDeleteLists
    // the first blocked item aborts the whole call before anything is deleted
    for (const uuid of checked ? uuids : []) {
      const item = col.get(uuid)
      if (item !== undefined) {
        const blocked = r.deleteBlocker?.(ctx, uuid, item)
        if (blocked !== undefined) throw blocked
      }
    }
    let result = "not found"
    let deleted = false
    for (const uuid of uuids) {
      const item = col.get(uuid)
      if (item === undefined) {
        result = "not found"
        continue
      }
      col.delete(uuid)
      r.afterWrite?.(ctx, uuid, item, undefined)
      result = "deleted"
      deleted = true
    }
    if (deleted) ctx.save(req)
    return json({ result })
  }
})

export const getItem = (r: Resource): Action => ({
  handle: (req, ctx) => {
    const uuid = req.params[0]
    if (uuid === undefined || uuid === "") {
      const template = build(r, ctx, {}, undefined, "")
      return json({ [r.wrapper]: r.encode(ctx, template, undefined) })
    }
    const item = r.collection(ctx).get(uuid)
    if (item === undefined) return json([])
    return json({ [r.wrapper]: r.encode(ctx, item, uuid) })
  }
})

/**
 * toggle (§5.6): no value flips; "0"/"1" sets; anything else fails. `inverted` is DNat's `disabled`.
 */
export const toggleItem = (r: Resource, field: string, inverted = false): Action => ({
  params: 1,
  handle: (req, ctx) => {
    if (!req.isPost) return resultFailed
    const uuids = (req.params[0] ?? "").split(",")
    const explicit = req.params[1]
    if (uuids.length > 1 && !ctx.v.deleteLists) return resultFailed
    if (uuids.length > 1 && explicit !== "0" && explicit !== "1") {
      throw new Fail(
        json({
          errorMessage: "Toggle with a list of items in only supported for explicit actions [0,1]",
          errorTitle: ""
        }, 500)
      )
    }
    const col = r.collection(ctx)
    let result = "failed"
    let changed = false
    for (const uuid of uuids) {
      const item = col.get(uuid)
      if (item === undefined) return resultFailed
      const current = item[field] ?? "0"
      let next: string
      if (explicit === undefined) next = current === "1" ? "0" : "1"
      else if (explicit === "0" || explicit === "1") next = explicit
      else return inverted ? resultFailed : json({ result: "failed", changed: false })
      if (next !== current) {
        const updated = { ...item, [field]: next }
        col.put(uuid, updated)
        r.afterWrite?.(ctx, uuid, item, updated)
        changed = true
      }
      const enabled = inverted ? next === "0" : next === "1"
      result = enabled ? "Enabled" : "Disabled"
    }
    if (changed) ctx.save(req)
    return inverted ? json({ result }) : json({ result, changed })
  }
})

/** Whole-model `get` (§5.7): GET only, `[]` otherwise; ArrayFields as `{uuid: item}` or `[]`. */
export const itemsMap = (r: Resource, ctx: Ctx, encode = r.encode): Record<string, unknown> | [] => {
  const out: Record<string, unknown> = {}
  for (const [uuid, item] of r.collection(ctx).entries()) out[uuid] = encode(ctx, item, uuid)
  return Object.keys(out).length === 0 ? [] : out
}
