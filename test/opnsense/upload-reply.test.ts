/**
 * The upload_rules reply as opnsense/core's importCsv writes it, decoded and read row by row:
 * 0-based row indexes, integer uuid maps (or `[]`), validations without a field, and the
 * `sequence: null` of a rule outside the upload (before 26.7.2), which means nothing was saved.
 */
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Upload from "../../src/Kinds/Rule/Upload.ts"

const decode = Schema.decodeUnknownSync(Upload.UploadResponse)
const A = "7c3f2a56-6a8e-4d7e-9f38-0c6f4d1b2a11"
const B = "0b8e4f0a-3c1d-4e2f-8a9b-1c2d3e4f5a6b"

describe("upload_rules reply", () => {
  it("decodes the real shapes", () => {
    expect(decode({ validations: [], inserted: 0, updated: 0, uuids: [], fieldnames: ["@uuid"] }).uuids).toEqual([])
    expect(decode({ validations: [], inserted: 1, updated: 0, uuids: { [A]: 0 } }).uuids).toEqual({ [A]: 0 })
    expect(decode({ status: "failed" }).validations).toBeUndefined()
  })

  it("reads rejected rows (with and without a field) and saves the rest", () => {
    const reply = decode({
      validations: [
        { sequence: 1, message: "Duplicate key entry found" },
        { sequence: 0, field: "gateway", message: "Option [x] not in list." }
      ],
      inserted: 2,
      updated: 0,
      uuids: { [A]: 0, [B]: 1 }
    })
    expect(Upload.rowOutcomes([A, B, "c"], reply)).toEqual([
      {
        _tag: "Rejected",
        uuid: A,
        validations: { "rule.gateway": "Option [x] not in list." },
        message: "rule.gateway: Option [x] not in list."
      },
      {
        _tag: "Rejected",
        uuid: B,
        validations: { rule: "Duplicate key entry found" },
        message: "rule: Duplicate key entry found"
      },
      { _tag: "Saved", uuid: "c" }
    ])
  })

  it("saves nothing when a message names no row", () => {
    const reply = decode({
      validations: [{
        sequence: null,
        field: "source_net",
        message: "gone is not a valid source IP address or alias."
      }],
      inserted: 1,
      updated: 0,
      uuids: { [A]: 0 }
    })
    const [only] = Upload.rowOutcomes([A], reply)
    expect(only?._tag).toBe("Rejected")
    expect(only?._tag === "Rejected" ? only.message : "").toMatch(/^not saved: .*source_net: gone is not/)
  })
})
