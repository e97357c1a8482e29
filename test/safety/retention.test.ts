/**
 * The retention read from config.xml follows Config::backupCount (opnsense/core 25.7–26.7.2):
 * `system/backupcount` when `intval() >= 0` (so 0 and non-numbers keep none), else 100.
 */
import { describe, expect, it } from "vitest"
import { retentionOf, retentionWarning } from "../../src/Safety/Undo.ts"

const xml = (system: string) =>
  `<?xml version="1.0"?>\n<opnsense><system><hostname>fw</hostname>${system}</system></opnsense>`

describe("retention of configuration revisions", () => {
  it("reads system/backupcount as PHP intval does", () => {
    expect(retentionOf(xml(""))).toEqual({ count: 100, configured: false })
    expect(retentionOf(xml("<backupcount>10</backupcount>"))).toEqual({ count: 10, configured: true })
    expect(retentionOf(xml("<backupcount> 25 </backupcount>"))).toEqual({ count: 25, configured: true })
    expect(retentionOf(xml("<backupcount/>"))).toEqual({ count: 0, configured: true })
    expect(retentionOf(xml("<backupcount>many</backupcount>"))).toEqual({ count: 0, configured: true })
    expect(retentionOf(xml("<backupcount>-1</backupcount>"))).toEqual({ count: 100, configured: false })
  })

  it("warns from 80 % of the retention, naming where the count came from", () => {
    const assumed = { count: 100, configured: false }
    expect(retentionWarning(79, assumed, "default")).toBeUndefined()
    expect(retentionWarning(80, assumed, "default")).toContain("its config.xml could not be read")
    expect(retentionWarning(80, assumed, "default")).toContain("may prune")
    expect(retentionWarning(100, { count: 100, configured: true }, "config")).toContain(
      "will be pruned before it ends"
    )
  })
})
