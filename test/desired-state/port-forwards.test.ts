/** validate of port_forwards: every problem at its file:line:col, with the code and a hint. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { validate } from "./validate-fixture.ts"

describe("validate port_forwards", () => {
  it.effect("reports each check at its file:line:col", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("port-forwards")
      const errors = issues.filter((i) => i.severity === "error")
        .map((i) => `${i.file}:${i.line}:${i.column} ${i.name} ${i.code}`)
      expect(errors).toEqual([
        "a.yaml:6:5 no-target missing-target",
        "a.yaml:13:13 exception-with-target no-rdr-target",
        "a.yaml:14:17 exception-with-target no-rdr-target",
        "a.yaml:19:17 ports-without-tcp port-needs-tcp-udp",
        "a.yaml:24:13 wrong-family address-family",
        "a.yaml:26:16 bad-refs invalid-interface",
        "a.yaml:28:42 bad-refs unknown-alias",
        "a.yaml:29:13 bad-refs alias-type-mismatch",
        "a.yaml:30:17 bad-refs invalid-port"
      ])
      expect(issues.find((i) => i.code === "missing-target")?.hint).toContain("target:")
      expect(issues.some((i) => i.name === "fine")).toBe(false)
    }))
})
