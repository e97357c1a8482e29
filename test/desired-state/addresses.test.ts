/**
 * Address forms the firewall (or a reader) would misread are refused with the form to write;
 * host bits in a CIDR, which OPNsense accepts and pf masks, are a warning naming the network;
 * bidirectional-text controls in names and descriptions are refused. Each issue names the
 * file:line:col and the item, like every validation error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { isWildcardMask, parseCidr, parseRange } from "../../src/DesiredState/Addresses.ts"
import { loadSite } from "../../src/DesiredState/Load.ts"
import { validate } from "./validate-fixture.ts"

describe("address forms", () => {
  it.effect("refuses misread forms and warns on host bits, at file:line:col with the item", () =>
    Effect.gen(function*() {
      const { issues } = yield* validate("address-forms")
      const seen = issues.map((i) => [i.severity, i.line, i.column, i.code, i.name, i.message, i.hint ?? ""] as const)
      const at = (line: number) => seen.filter((s) => s[1] === line)
      expect(issues.every((i) => i.file === "a.yaml")).toBe(true)
      // host alias: hex, octal and short forms; dotted decimal passes
      expect(at(5)).toEqual([[
        "error",
        5,
        9,
        "invalid-address",
        "misread_hosts",
        expect.stringContaining("inet_aton would read it as 10.0.0.1"),
        expect.any(String)
      ]])
      expect(at(6)[0]?.[5]).toContain(
        "\"010.0.0.1\" is not four decimal numbers without leading zeros; inet_aton would read it as 8.0.0.1"
      )
      expect(at(7)[0]?.[5]).toContain("inet_aton would read it as 10.0.0.1")
      expect(at(8)).toEqual([])
      // network alias: host bits warn (OPNsense accepts them), zone ids and mapped addresses are refused
      expect(at(12)).toEqual([[
        "warning",
        12,
        9,
        "host-bits",
        "misread_nets",
        "\"10.0.0.5/24\" has host bits set; OPNsense accepts it and pf matches the whole network 10.0.0.0/24",
        "write 10.0.0.0/24 for the network, or 10.0.0.5 alone for the one host"
      ]])
      expect(at(13)[0]?.slice(0, 5)).toEqual(["error", 13, 9, "invalid-address", "misread_nets"])
      expect(at(13)[0]?.[5]).toContain("zone id (%eth0)")
      expect(at(13)[0]?.[5]).toContain("write fe80::1")
      expect(at(14)[0]?.[5]).toContain("IPv4-mapped IPv6 address")
      expect(at(14)[0]?.[5]).toContain("write the IPv4 address 10.0.0.1")
      expect(at(15)[0]?.slice(0, 4)).toEqual(["warning", 15, 9, "host-bits"])
      expect(at(15)[0]?.[6]).toBe("write 2001:db8::/32 for the network, or 2001:db8::1 alone for the one host")
      expect(at(16)).toEqual([])
      expect(at(17)[0]?.slice(0, 5)).toEqual(["error", 17, 18, "description-control", "misread_nets"])
      expect(at(17)[0]?.[5]).toBe("description contains a bidirectional-text control U+202E at position 7")
      // rules: the same refusals and warning on source/destination
      expect(at(22)[0]?.slice(0, 5)).toEqual(["error", 22, 13, "invalid-address", "hex-source"])
      expect(at(27)[0]?.slice(0, 5)).toEqual(["error", 27, 18, "invalid-address", "zone-destination"])
      expect(at(32)[0]?.slice(0, 5)).toEqual(["error", 32, 13, "invalid-address", "mapped-source"])
      expect(at(32)[0]?.[5]).toContain("10.0.0.1")
      expect(at(36)[0]?.slice(0, 5)).toEqual(["warning", 36, 13, "host-bits", "host-bits"])
      expect(at(40)[0]?.slice(0, 5)).toEqual(["error", 40, 18, "description-control", "isolate"])
      expect(at(40)[0]?.[5]).toContain("U+2066")
      expect(at(41)[0]?.slice(0, 4)).toEqual(["error", 41, 11, "invalid-name"])
    }))

  it("keeps the plain forms", () => {
    for (const ok of ["10.0.0.1", "10.0.0.0/24", "0.0.0.0/0", "::/0", "2001:db8::/32", "fe80::1", "::1"]) {
      expect(parseCidr(ok)._tag, ok).toBe("Literal")
      expect(parseCidr(ok)._tag === "Literal" ? parseCidr(ok) : undefined, ok).not.toHaveProperty("warning.code")
    }
    expect(parseRange("10.0.0.1-10.0.0.9")._tag).toBe("Literal")
    expect(parseRange("010.0.0.1-10.0.0.9")._tag).toBe("Invalid")
    expect(parseCidr("lan")._tag).toBe("NotAddress")
    // a wildcard mask is no CIDR: the network alias check takes it (it was refused as a bad prefix)
    expect(parseCidr("10.0.0.0/0.0.255.255")._tag).toBe("NotAddress")
    expect(isWildcardMask("10.0.0.0/0.0.255.255")).toBe(true)
    expect(isWildcardMask("2001:db8::/ffff:ffff::")).toBe(true)
    expect(isWildcardMask("010.0.0.0/0.0.255.255")).toBe(false)
    expect(isWildcardMask("10.0.0.0/ffff::")).toBe(false)
    expect(parseCidr("0xcafe")._tag).toBe("Invalid")
    expect(parseCidr("2001:db8:0:0:1::5/64")).toMatchObject({
      warning: { hint: expect.stringContaining("2001:db8::/64") }
    })
    expect(parseCidr("10.0.0.255/25")).toMatchObject({ warning: { hint: expect.stringContaining("10.0.0.128/25") } })
  })

  it("takes a wildcard mask in a network alias", () => {
    const { issues, site } = loadSite(
      { name: "default", path: ".", pruneUnmanaged: false, probes: [], lint: {} },
      [{ path: "a.yaml", text: "aliases:\n  - name: masked\n    type: network\n    content: [10.0.0.0/0.0.255.255]\n" }]
    )
    expect(issues).toEqual([])
    expect(site?.aliases[0]?.spec.content).toEqual(["10.0.0.0/0.0.255.255"])
  })
})
