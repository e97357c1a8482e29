/** The download_rules CSV reader: fputcsv's quoting, empty bodies, CRLF. */
import { describe, expect, it } from "vitest"
import { parseCsv } from "../../src/Kinds/OutboundNat/Csv.ts"

describe("outbound NAT download_rules CSV", () => {
  it("reads enclosed fields with separators, doubled quotes and line breaks", () => {
    const text = "@uuid;interface;description\r\nu1;wan;\"a; \"\"b\"\"\nc\"\nu2;opt1;\n"
    expect(parseCsv(text)).toEqual([
      { "@uuid": "u1", interface: "wan", description: "a; \"b\"\nc" },
      { "@uuid": "u2", interface: "opt1", description: "" }
    ])
  })

  it("gives no records for an empty body or a header alone", () => {
    expect(parseCsv("")).toEqual([])
    expect(parseCsv("@uuid;interface\n")).toEqual([])
  })
})
