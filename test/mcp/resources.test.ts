/**
 * desired-state://file/{path} serves the desired-state files the loader reads and nothing else
 * under DESIRED_STATE_DIR: not .git (a token in a remote URL), not .env files, not binaries, and
 * never opens a FIFO (a blocked read holds a libuv worker; four of them stall every file read).
 */
import type { Client } from "@modelcontextprotocol/client"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectHttp, type HttpServer, type Stack, startHttp, startStack } from "./harness.ts"

let stack: Stack
let server: HttpServer
let client: Client

const remoteToken = "ghp_remoteUrlToken0123456789"

beforeAll(async () => {
  stack = await startStack()
  // the desired-state directory as a repository root, with what such a root holds
  fs.mkdirSync(path.join(stack.dir, ".git"))
  fs.writeFileSync(
    path.join(stack.dir, ".git", "config"),
    `[remote "origin"]\n\turl = https://x-access-token:${remoteToken}@github.com/acme/fw.git\n`
  )
  fs.writeFileSync(path.join(stack.dir, ".git", "index"), Buffer.from([0x44, 0x49, 0x52, 0x43, 0, 0, 0, 2, 0xff]))
  fs.writeFileSync(path.join(stack.dir, ".env.local"), "OPNSENSE_API_SECRET=hunter2\n")
  fs.writeFileSync(path.join(stack.dir, ".pre-commit-config.yaml"), "repos: []\n")
  fs.writeFileSync(path.join(stack.dir, "README.txt"), "notes\n")
  execFileSync("mkfifo", [path.join(stack.dir, "pipe.yaml")])
  execFileSync("mkfifo", [path.join(stack.dir, ".git", "FETCH_HEAD")])
  server = await startHttp(stack)
  client = await connectHttp(server)
}, 30_000)

afterAll(async () => {
  await client?.close()
  await server?.close()
  await stack?.close()
})

/** A read that must answer (either way) well before a blocked worker would let it. */
const read = (uri: string) =>
  Promise.race([
    client.readResource({ uri }).then(
      (r) => ({ ok: true as const, text: JSON.stringify(r.contents) }),
      (e: unknown) => ({
        ok: false as const,
        text: e instanceof Error ? e.message : String(e)
      })
    ),
    new Promise<{ ok: false; text: string }>((resolve) =>
      setTimeout(() => resolve({ ok: false, text: "TIMEOUT: the read hung" }), 4_000)
    )
  ])

describe("desired-state file resource", () => {
  it("lists only the files the loader reads", async () => {
    const { resources } = await client.listResources()
    const files = resources.map((r) => r.uri).filter((u) => u.startsWith("desired-state://file/")).sort()
    expect(files).toEqual([
      "desired-state://file/aliases.yaml",
      "desired-state://file/rules.yaml",
      "desired-state://file/vlans.yaml"
    ])
  })

  it("serves a desired-state file", async () => {
    const vlans = await read("desired-state://file/vlans.yaml")
    expect(vlans.ok, vlans.text).toBe(true)
    expect(vlans.text).toContain("vlans")
  })

  it("refuses everything else under the directory, and never blocks on a FIFO", async () => {
    const refused = [
      ".git/config",
      ".git%2Fconfig",
      ".git/index",
      ".env.local",
      ".pre-commit-config.yaml",
      "README.txt",
      "../repo/desired-state/.git/config",
      ".git/FETCH_HEAD"
    ]
    for (const file of refused) {
      const answer = await read(`desired-state://file/${file}`)
      expect(answer.ok, `${file}: ${answer.text}`).toBe(false)
      expect(answer.text).not.toContain(remoteToken)
      expect(answer.text).not.toContain("hunter2")
      expect(answer.text).not.toContain("TIMEOUT")
    }
    // five at once: each blocked open would hold one of libuv's four workers
    const pipes = await Promise.all(Array.from({ length: 5 }, () => read("desired-state://file/pipe.yaml")))
    for (const pipe of pipes) {
      expect(pipe.ok).toBe(false)
      expect(pipe.text).not.toContain("TIMEOUT")
    }
    // and the server still reads files afterwards
    expect((await read("desired-state://file/rules.yaml")).ok).toBe(true)
  }, 30_000)
})
