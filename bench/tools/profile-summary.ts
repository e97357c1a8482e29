/**
 * Summarise a V8 CPU profile (`node --cpu-prof`): self time per function and per file, and total
 * (inclusive) time per function, so "where does the time go" has an answer without a GUI.
 *
 *   node bench/tools/profile-summary.ts PROFILE.cpuprofile [top=25] [filter-substring]
 */
import { readFileSync } from "node:fs"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const isProfile = (u: unknown): u is Profile =>
  typeof u === "object" && u !== null && "nodes" in u && "samples" in u && "timeDeltas" in u

const [file, topArg, filter] = process.argv.slice(2)
if (file === undefined) {
  process.stderr.write("usage: node bench/tools/profile-summary.ts PROFILE.cpuprofile [top] [filter]\n")
  process.exit(1)
}
const parsed: unknown = JSON.parse(readFileSync(file, "utf8"))
if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`)
const profile = parsed
const top = Number(topArg ?? 25)

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const selfUs = new Map<number, number>()
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))

const short = (url: string) =>
  url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "~/").replace(/^.*\/work\/main\//, "")
const label = (f: CallFrame) => `${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`

const selfByFn = new Map<string, number>()
const selfByFile = new Map<string, number>()
const totalByFn = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)
  if (node === undefined) continue
  const key = label(node.callFrame)
  selfByFn.set(key, (selfByFn.get(key) ?? 0) + us)
  const fileKey = short(node.callFrame.url) || `(${node.callFrame.functionName})`
  selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + us)
  // inclusive: every distinct function on the stack once
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)
    if (n === undefined) break
    const k = label(n.callFrame)
    if (seen.has(k)) continue
    seen.add(k)
    totalByFn.set(k, (totalByFn.get(k) ?? 0) + us)
  }
}

const totalMs = (profile.endTime - profile.startTime) / 1000
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`)
  const rows = [...map.entries()].filter(([k]) => filter === undefined || k.includes(filter)).sort((a, b) =>
    b[1] - a[1]
  ).slice(0, top)
  for (const [k, us] of rows) {
    process.stdout.write(
      `${(us / 1000).toFixed(1).padStart(9)} ms ${((us / 1000 / totalMs) * 100).toFixed(1).padStart(5)}%  ${k}\n`
    )
  }
}
process.stdout.write(`profile ${file}: ${totalMs.toFixed(0)} ms\n`)
print("self time by file", selfByFile)
print("self time by function", selfByFn)
print("total time by function", totalByFn)
