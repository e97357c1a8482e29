/**
 * The ≤26.1 savepoint protocol of `firewall/filter` (opnsense/core 26.1:
 * src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php): savepoint, apply/{revision}
 * arming a 60 s rollback timer, cancel_rollback and revert. Rollback restores only the Filter
 * subtree (rules, source NAT rules, 1:1 rules: opnsense/core 26.1: src/opnsense/mvc/app/models/OPNsense/Firewall/Filter.php
 * rollback copies OPNsense/Firewall/Filter whole; port forwards (DNat) and nat/outbound/mode stay).
 * The NAT controllers inherit these actions from FilterBaseController. By default the 25.7–26.1 defect is emulated: the revision never matches a backup.
 */
import type { Action, Ctx } from "./Router.ts"
import { applyFilter, type SimulatorState } from "./State.ts"
import { json } from "./Wire.ts"

interface Timer {
  readonly revision: string
  readonly handle: ReturnType<typeof setTimeout>
}
const timers = new WeakMap<SimulatorState, Timer>()

const only26_1 = { available: (v: { readonly savepoint: boolean }) => v.savepoint }

const rollback = (s: SimulatorState, revision: string): boolean => {
  const backup = s.backups.find((b) => b.id === `config-${revision}.xml`)
  if (backup === undefined) return false
  s.rules.restore(backup.snapshot.rules)
  s.snat.restore(backup.snapshot.snat)
  s.onetoone.restore(backup.snapshot.onetoone)
  s.commit(`/api/firewall/filter/revert/${revision} made changes`, "root@127.0.0.1")
  applyFilter(s)
  return true
}

export const clearRollbackTimer = (s: SimulatorState): void => {
  const t = timers.get(s)
  if (t !== undefined) clearTimeout(t.handle)
  timers.delete(s)
}

const armRollback = (c: Ctx, revision: string): void => {
  const s = c.state
  // flock: only one timer at a time
  if (timers.has(s)) return
  const handle = setTimeout(() => {
    timers.delete(s)
    rollback(s, revision)
  }, s.rollbackSeconds * 1000)
  handle.unref()
  timers.set(s, { revision, handle })
}

const controllerActions: Readonly<Record<string, Action>> = {
  savepoint: {
    ...only26_1,
    handle: (req, c) => {
      if (!req.isPost) return json({ status: "failed" })
      const s = c.state
      const revision = s.commit(`${req.uri} made changes`, req.username)
      // the defect: revision/time is a second microtime() rounded to 2 decimals, the file keeps 4
      const returned = s.savepointDefect ? (Number(revision.time) + 0.001).toFixed(2) : revision.id.slice(7, -4)
      // opnsense/core 26.1: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/FilterBaseController.php savepointAction
      return json({ status: "ok", retention: String(s.retention()), revision: returned })
    }
  },
  cancel_rollback: {
    ...only26_1,
    params: 1,
    handle: (req, c) => {
      const t = timers.get(c.state)
      if (!req.isPost || t === undefined || t.revision !== req.params[0]) return json({ status: "Execute error\n\n" })
      clearRollbackTimer(c.state)
      return json({ status: "\n\n" })
    }
  },
  revert: {
    ...only26_1,
    params: 1,
    handle: (req, c) => {
      if (!req.isPost) return json({ status: "failed" })
      return rollback(c.state, req.params[0] ?? "")
        ? json({ status: "ok" })
        : json({ status: "unknown (or removed) savepoint" })
    }
  }
}

export const savepointActions = { controllerActions, armRollback }
