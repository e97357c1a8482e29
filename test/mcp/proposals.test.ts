/**
 * What an agent may not do to the desired-state repository through propose_change and import_live:
 * create branches that shadow other refs (`origin/master`, a tag, the default branch) or live
 * outside the proposal prefix, and put forged trailers or terminal/bidi control characters into
 * commit messages. Each refusal is an isError result that says how to fix the call, and leaves no
 * branch behind.
 */
import { describe, expect, it } from "vitest"
import { callOk, callTool, git, resultText, useHttpStack } from "./harness.ts"

let upstream = ""
// a remote with a remote-tracking branch, and a tag, as a real clone has
const mcp = useHttpStack({ readOnly: false }, (stack) => {
  upstream = git(stack.root, "rev-parse", "HEAD")
  git(stack.root, "remote", "add", "origin", "https://git.example.test/firewall.git")
  git(stack.root, "update-ref", "refs/remotes/origin/master", upstream)
  git(stack.root, "tag", "v1")
})

const edit = { op: "upsert", kind: "alias", name: "guest_net", value: { type: "network", content: ["10.77.0.0/24"] } }
const propose = (args: Record<string, unknown>) =>
  callTool(mcp.client, "propose_change", {
    summary: "Add the guest network",
    reason: "guests get a segment",
    edits: [edit],
    ...args
  })
const proposeOk = (args: Record<string, unknown>) =>
  callOk(mcp.client, "propose_change", {
    summary: "Add the guest network",
    reason: "guests get a segment",
    edits: [edit],
    ...args
  })
const branches = () => git(mcp.stack.root, "for-each-ref", "--format=%(refname)", "refs/heads")

describe("proposal branch names", () => {
  it("refuses names that would shadow a remote-tracking branch, a tag or the default branch", async () => {
    const before = branches()
    for (
      const [branch, why] of [
        ["origin/master", /remote name "origin\/"/],
        ["origin", /name of the remote "origin"/],
        ["v1", /already exists as refs\/tags\/v1/],
        ["main", /default branch "main"/],
        ["Main", /default branch "main"/],
        ["refs/heads/x", /part of a ref path/],
        ["a..b", /not allowed/]
      ] as const
    ) {
      const result = await propose({ branch })
      expect(result.isError, branch).toBe(true)
      expect(resultText(result), branch).toMatch(why)
      expect(resultText(result), branch).toContain("omit `branch`")
    }
    expect(branches()).toBe(before)
    // origin/master still means the remote-tracking branch
    expect(git(mcp.stack.root, "rev-parse", "origin/master")).toBe(upstream)
  })

  it("puts every proposal under mcp/, adding the prefix to a bare name", async () => {
    const bare = await proposeOk({ branch: "guest-net" })
    expect(bare["branch"]).toBe("mcp/guest-net")
    expect(git(mcp.stack.root, "rev-parse", "mcp/guest-net")).toBe(bare["commit"])
    const prefixed = await proposeOk({ branch: "mcp/guest-net-2" })
    expect(prefixed["branch"]).toBe("mcp/guest-net-2")
    // an existing proposal branch is not overwritten
    const again = await propose({ branch: "guest-net" })
    expect(again.isError).toBe(true)
    expect(resultText(again)).toMatch(/already exists as refs\/heads\/mcp\/guest-net/)
  })

  it("applies the same rule to import_live", async () => {
    const before = branches()
    const result = await callTool(mcp.client, "import_live", { branch: "origin/master" })
    expect(result.isError).toBe(true)
    expect(resultText(result)).toMatch(/remote name "origin\/"/)
    expect(branches()).toBe(before)
    // a bare name passes the branch check (the fixture holds what the firewall holds but for its
    // interface assignments, WAN and LAN, which the import commits)
    const bare = await callTool(mcp.client, "import_live", { branch: "adopt-lab" })
    expect(resultText(bare)).not.toContain("BranchRefused")
    expect(resultText(bare)).toContain("on branch mcp/adopt-lab: 1 gateways, 2 assignments")
  })
})

describe("commit messages", () => {
  it("refuses a summary with line breaks (forged trailers), saying to use reason", async () => {
    const before = branches()
    for (
      const summary of ["Add guest net\n\nApproved-by: Security Team <sec@example.test>", "Add\r\nit", "Add\u2028it"]
    ) {
      const result = await propose({ summary })
      expect(result.isError).toBe(true)
      expect(resultText(result)).toContain("`summary` must be one line")
      expect(resultText(result)).toContain("`reason`")
    }
    expect(branches()).toBe(before)
  })

  it("refuses ANSI escapes, C1 controls, DEL and bidi controls in summary and reason", async () => {
    const before = branches()
    const cases: ReadonlyArray<readonly [Record<string, string>, RegExp]> = [
      [{ summary: "Add \u001b[8mguest\u001b[0m net" }, /`summary` contains a escape \(ANSI sequences\) U\+001B/],
      [{ summary: "Add \u009b31m net" }, /U\+009B/],
      [{ summary: "Add\u007f net" }, /control character U\+007F/],
      [{ summary: "Add \u202eten tseug" }, /bidirectional-text control U\+202E/],
      [{ summary: "Add \u2066guest\u2069" }, /U\+2066/],
      [{ summary: "Add\tguest" }, /U\+0009/],
      [{ reason: "harmless\n\u001b[2Kreally" }, /`reason` contains a escape \(ANSI sequences\) U\+001B at position 10/],
      [{ reason: "see \u200fhere" }, /U\+200F/],
      [{ reason: "routine change\n\nApproved-by: Security Team" }, /"Approved-by:", which reads as a git trailer/]
    ]
    for (const [args, why] of cases) {
      const result = await propose(args)
      expect(result.isError, JSON.stringify(args)).toBe(true)
      expect(resultText(result), JSON.stringify(args)).toMatch(why)
    }
    expect(branches()).toBe(before)
  })

  it("keeps line breaks in reason, and the subject is exactly the summary", async () => {
    const result = await proposeOk({
      summary: "Add the guest network once more",
      reason: "first line\r\nsecond line",
      edits: [{ ...edit, name: "guest_net_b" }]
    })
    const branch = String(result["branch"])
    expect(git(mcp.stack.root, "log", "-1", "--format=%s", branch)).toBe("Add the guest network once more")
    const body = git(mcp.stack.root, "log", "-1", "--format=%b", branch)
    expect(body).toContain("first line\nsecond line")
    expect(body).not.toMatch(/[\r\u001b]/)
    expect(git(mcp.stack.root, "log", "-1", "--format=%(trailers)", branch)).toMatch(
      /^Proposed-by: opnsense-mcp \(.+\)$/
    )
  })
})
