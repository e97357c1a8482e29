/**
 * firewall/d_nat validation as opnsense/core words it (src/opnsense/mvc/app/models/OPNsense/Firewall/DNat.php
 * performValidation): the family check from 26.1.4, the no-rdr checks from 26.1.11 (so on the 26.7
 * emulation, not on 26.1.5), over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { post } from "./helpers.ts"

const ADD = "/api/firewall/d_nat/add_rule"
const base = {
  interface: "wan",
  ipprotocol: "inet",
  protocol: "tcp",
  destination: { network: "wanip", port: "7443" },
  target: "10.30.0.20",
  "local-port": "443"
}

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator ${version}: firewall/d_nat validation`, () => {
    let sim: SimulatorHandle
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false })
    })
    afterAll(() => sim.close())

    it("refuses a literal of the other family with DNat.php's message", async () => {
      const r = await post(sim, ADD, { rule: { ...base, target: "2001:db8::20" } })
      expect(r.body.result).toBe("failed")
      expect(r.body.validations).toEqual({
        "rule.target": "Address type should match selected TCP/IP protocol version."
      })
    })

    it(`no-rdr with a target and local port: ${version === "26.7" ? "refused per field" : "accepted (no check before 26.1.11)"}`, async () => {
      const r = await post(sim, ADD, { rule: { ...base, nordr: "1" } })
      if (version === "26.7") {
        expect(r.body.validations).toEqual({
          "rule.target": "Target must be empty when No RDR is set.",
          "rule.local-port": "Port must be empty when No RDR is set."
        })
      } else {
        expect(r.body.result).toBe("saved")
      }
    })
  })
}
