import { describe, expect, it } from "vitest"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { defaultSite } from "../../src/DesiredState/Sites.ts"

describe("duplicate names are reported even when a copy has another error", () => {
  it("reports both the out-of-range tag and the duplicate name in one run", () => {
    const { issues, site } = loadSite(defaultSite, [
      { path: "a.yaml", text: "vlans:\n  - name: iot\n    parent: igb1\n    tag: 5000\n" },
      { path: "b.yaml", text: "vlans:\n  - name: iot\n    parent: igb1\n    tag: 31\n" }
    ])
    expect(site).toBeUndefined()
    const codes = issues.map((i) => `${i.file}:${i.line}:${i.code}`)
    expect(codes).toContain("b.yaml:2:duplicate-name")
    expect(issues.some((i) => i.file === "a.yaml" && i.line === 4)).toBe(true)
    expect(issues.find((i) => i.code === "duplicate-name")?.message).toContain("a.yaml:2")
  })
})
