/**
 * Where a CLI process spends its time, seen from inside without touching the CLI's code: a module
 * hook given to node with `--import` (a data: URL, so a run from dist/ does not load the
 * TypeScript stripper for it) notes, as times since the process started,
 *
 *   commandLoaded  the command's module (Cli/Plan) and everything it imports have been evaluated
 *   firstRequest   the first request to the firewall leaves (node:http diagnostics channel)
 *   lastResponse   the last response from the firewall has been read to its end
 *   stdout         the first write to stdout (the rendered plan)
 *   exit           the process's `exit` event
 *
 * and prints them on stderr at exit as one `BENCH-MARKS {...}` line, with the process's
 * `performance.timeOrigin` so the parent can put them on its own clock.
 */

const hookSource = `
import { registerHooks } from "node:module"
import { subscribe } from "node:diagnostics_channel"
import { writeSync } from "node:fs"
const key = Symbol.for("opnsense-mcp.bench.mark")
const marks = {}
const mark = (name) => { if (marks[name] === undefined) marks[name] = performance.now() }
globalThis[key] = mark
registerHooks({
  load(url, context, next) {
    const loaded = next(url, context)
    if (!/\\/Cli\\/Plan\\.(ts|js)$/.test(url)) return loaded
    // the module evaluates after every module it imports: a line at its end marks "all loaded"
    const source = typeof loaded.source === "string" ? loaded.source : new TextDecoder().decode(loaded.source)
    return { ...loaded, source: source + "\\n;globalThis[Symbol.for('opnsense-mcp.bench.mark')]?.('commandLoaded')\\n" }
  }
})
let requests = 0
subscribe("http.client.request.start", () => { requests++; mark("firstRequest") })
subscribe("http.client.response.finish", ({ response }) => {
  response.once("end", () => { marks.lastResponse = performance.now() })
})
const write = process.stdout.write
process.stdout.write = function (...args) { mark("stdout"); return write.apply(this, args) }
process.on("exit", () => {
  mark("exit")
  writeSync(2, "BENCH-MARKS " + JSON.stringify({ timeOrigin: performance.timeOrigin, requests, marks }) + "\\n")
})
`

/** `node --import <this> …` */
export const marksHook = `data:text/javascript,${encodeURIComponent(hookSource)}`

export interface Marks {
  /** the child's performance.timeOrigin (ms since the epoch) */
  readonly timeOrigin: number
  /** HTTP requests the process made */
  readonly requests: number
  /** ms since the child's timeOrigin */
  readonly marks: Readonly<Record<string, number>>
}

const isMarks = (u: unknown): u is Marks =>
  typeof u === "object" && u !== null && "timeOrigin" in u && typeof u.timeOrigin === "number" && "marks" in u &&
  typeof u.marks === "object" && u.marks !== null && "requests" in u && typeof u.requests === "number"

/** The marks line of a child's stderr, if it printed one. */
export const parseMarks = (stderr: string): Marks | undefined => {
  const line = stderr.split("\n").find((l) => l.startsWith("BENCH-MARKS "))
  if (line === undefined) return undefined
  const parsed: unknown = JSON.parse(line.slice("BENCH-MARKS ".length))
  return isMarks(parsed) ? parsed : undefined
}
