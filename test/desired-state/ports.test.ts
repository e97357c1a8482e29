/**
 * Service names resolve to the numbers OPNsense's PortField gives them (opnsense/core 26.1.5 and
 * 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/PortField.php `$wellknownservices`),
 * so a live rule holding a name and a YAML rule holding the number compare equal.
 */
import { describe, expect, it } from "vitest"
import { normalizePort } from "../../src/Domain/Normalize.ts"

describe("service names in ports", () => {
  it.each([
    ["wins", "1512"],
    ["ipsec-msft", "10000"],
    ["ipsec-nat-t", "4500"],
    ["ms-wbt-server", "3389"],
    ["nat-stun-port", "3478"],
    ["HTTPS", "443"]
  ])("%s is port %s, as PortField has it", (name, port) => {
    expect(normalizePort(name)).toEqual({ _tag: "Port", value: port })
  })

  it("takes a few more IANA names in YAML, sent as numbers (PortField refuses the names)", () => {
    expect(normalizePort("rdp")).toEqual({ _tag: "Port", value: "3389" })
    expect(normalizePort("syslog")).toEqual({ _tag: "Port", value: "514" })
  })
})
