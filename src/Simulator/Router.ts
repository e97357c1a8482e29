/**
 * MVC routing as OPNsense's own router does it: `/api/<module>/<controller>/<action>/<params…>`,
 * module names case-insensitive, controller names converted snake → CamelCase and matched exactly,
 * action names snake or camel (PHP method lookup is case-insensitive), and too few required
 * parameters is a 404 like an unknown action.
 */
import type { FieldCtx } from "./Fields.ts"
import type { ApiKey } from "./State.ts"
import type { VersionProfile } from "./Version.ts"
import type { Reply } from "./Wire.ts"

export interface Request {
  readonly method: string
  /** raw REQUEST_URI path, e.g. `/api/firewall/filter/set_rule/<uuid>` */
  readonly uri: string
  readonly params: ReadonlyArray<string>
  readonly query: URLSearchParams
  /** decoded body ($_POST); `{}` when none */
  readonly body: Readonly<Record<string, unknown>>
  readonly isPost: boolean
  readonly isGet: boolean
  readonly key: ApiKey
  /** `<user>@<client ip>` as config revisions record it */
  readonly username: string
}

export interface Ctx extends FieldCtx {
  /** One config save: the backup revision of a successful write (§10.4). Throws for read-only users. */
  readonly save: (req: Request) => void
}

export interface Action {
  /** number of required path parameters */
  readonly params?: number
  /** the action exists in this version (otherwise 404, like a missing method) */
  readonly available?: (v: VersionProfile) => boolean
  readonly handle: (req: Request, ctx: Ctx) => Reply
}

export interface Controller {
  /** snake_case module and controller, as clients should call them */
  readonly module: string
  readonly controller: string
  /** snake_case action name → action */
  readonly actions: Readonly<Record<string, Action>>
}

export interface Resolved {
  readonly action: Action
  /** canonical `/api/<module>/<controller>/<action>` for logs and counts */
  readonly endpoint: string
  readonly params: ReadonlyArray<string>
}

const camel = (snake: string): string =>
  snake.split("_").map((p) => (p === "" ? "" : p[0]?.toUpperCase() + p.slice(1))).join("")
const actionKey = (name: string): string => name.replace(/_/g, "").toLowerCase()

export class Router {
  private readonly table = new Map<
    string,
    { readonly c: Controller; readonly actions: Map<string, [string, Action]> }
  >()

  constructor(controllers: ReadonlyArray<Controller>) {
    for (const c of controllers) {
      const actions = new Map<string, [string, Action]>()
      for (const [name, action] of Object.entries(c.actions)) actions.set(actionKey(name), [name, action])
      this.table.set(`${camel(c.module).toLowerCase()}/${camel(c.controller)}`, { c, actions })
    }
  }

  /** `segments` are the path parts after `/api/` with empty parts removed. */
  resolve(segments: ReadonlyArray<string>, v: VersionProfile): Resolved | undefined {
    const [module, controller, action, ...params] = segments
    if (module === undefined || controller === undefined || action === undefined) return undefined
    const entry = this.table.get(`${camel(module).toLowerCase()}/${camel(controller)}`)
    const found = entry?.actions.get(actionKey(action))
    if (entry === undefined || found === undefined) return undefined
    const [name, a] = found
    if (a.available !== undefined && !a.available(v)) return undefined
    if (params.length < (a.params ?? 0)) return undefined
    return { action: a, endpoint: `/api/${entry.c.module}/${entry.c.controller}/${name}`, params }
  }
}
