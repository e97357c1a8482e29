/**
 * Child processes for the multi-instance loop tests: spawn a harness with its environment, read its
 * JSON lines, and SIGKILL whatever is left after each test.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { afterEach } from "vitest"

const children: Array<ChildProcess> = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL")
})

/** run test/loop/<harness> with `env` added; every stdout line that is a JSON object goes to `onLine` */
export const startHarness = <Line>(
  harness: string,
  env: Readonly<Record<string, string>>,
  onLine: (line: Line) => void
): ChildProcess => {
  const child = spawn(process.execPath, [join(import.meta.dirname, harness)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"]
  })
  children.push(child)
  let buffer = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split("\n")
    buffer = parts.pop() ?? ""
    for (const p of parts) if (p.startsWith("{")) onLine(JSON.parse(p) as Line)
  })
  return child
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const waitFor = async (check: () => boolean, ms: number) => {
  const until = Date.now() + ms
  while (!check() && Date.now() < until) await sleep(20)
  return check()
}
