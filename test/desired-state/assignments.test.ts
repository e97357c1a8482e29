/** Assignment items: every problem with file:line:col, and load(render(x)) gives x back. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { assignment } from "../../src/Kinds/Assignment/index.ts"
import { config } from "../reconciler/fixtures.ts"
import { validate } from "./validate-fixture.ts"

describe("assignments in YAML", () => {
  it.effect("reports each problem at its line and column", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("assignment-errors")
      expect(issues.filter((i) => i.severity === "error").map((i) => `${i.line}:${i.column} ${i.code} ${i.name}`))
        .toEqual([
          "4:11 assignment-device both",
          "5:5 assignment-device neither",
          "8:13 invalid-device bad-device",
          "11:18 invalid-interface-description bad-description",
          "13:13 duplicate-assignment-device twice",
          "16:18 duplicate-interface-description same-description"
        ])
    }))

  it("renders what it loads", () => {
    for (
      const spec of [
        { device: "igb2", description: "DMZ", lock: true },
        { device: "vlan:iot", description: "", lock: false }
      ]
    ) {
      const input = Schema.decodeUnknownSync(assignment.yaml.input)(assignment.yaml.render("x", spec))
      expect(assignment.yaml.normalise(input, { aliases: new Map(), items: () => [], site: config() })).toEqual(spec)
    }
  })
})
