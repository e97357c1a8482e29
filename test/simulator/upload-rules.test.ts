/**
 * firewall/filter/upload_rules as opnsense/core answers it (ApiMutableModelControllerBase importCsv,
 * ArrayField importRecordSet, FilterBaseController uploadRulesBase): 0-based row indexes, the first
 * pass's reply, invalid rows dropped and the rest saved, unknown category names dropped.
 */
import { randomUUID } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { post } from "./helpers.ts"

const upload = (sim: SimulatorHandle, payload: string) => post(sim, "/api/firewall/filter/upload_rules", { payload })

for (const version of ["26.1", "26.7"] as const) {
  describe(`simulator: upload_rules on ${version}`, () => {
    let sim: SimulatorHandle
    beforeAll(async () => {
      sim = await startSimulator({ version, unmanaged: false, seed: { categories: [{ name: "known" }] } })
    })
    afterAll(() => sim.close())

    it("answers {status: failed} without a payload", async () => {
      expect((await post(sim, "/api/firewall/filter/upload_rules", {})).body).toEqual({ status: "failed" })
    })

    it("saves the valid rows of a batch and replies with the first pass", async () => {
      const ok1 = randomUUID()
      const ok2 = randomUUID()
      const bad = randomUUID()
      const backups = sim.state.backups.length
      const res = await upload(
        sim,
        [
          "@uuid;interface;protocol;destination_port;description;categories",
          `${ok1};lan;TCP;443;first;known,unknown`,
          `${bad};lan;ICMP;80;bad;`,
          `${ok2};lan;UDP;53;second;`,
          `not-a-uuid;lan;TCP;22;third;`
        ].join("\n")
      )
      expect(res.body.validations).toEqual([
        { sequence: 3, field: "@uuid", message: "Invalid UUID offered (not-a-uuid)" },
        {
          sequence: 1,
          field: "destination_port",
          message: "Destination ports are only valid for tcp or udp type rules."
        }
      ])
      expect(res.body.uuids).toEqual({ [ok1]: 0, [bad]: 1, [ok2]: 2 })
      expect(res.body.inserted).toBe(3)
      expect(res.body.updated).toBe(0)
      expect(res.body.fieldnames[0]).toBe("@uuid")
      // the second pass saved the valid rows, with the offered uuids, in one revision
      expect(sim.state.rules.has(ok1)).toBe(true)
      expect(sim.state.rules.has(ok2)).toBe(true)
      expect(sim.state.rules.has(bad)).toBe(false)
      expect(sim.state.backups.length).toBe(backups + 1)
      // "only map what we know, ignore the rest"
      expect(sim.state.rules.get(ok1)?.["categories"]).toBe(sim.state.categories.find("name", "known"))
    })

    it("gives new rows without @uuid fresh uuids in the second pass", async () => {
      const res = await upload(sim, "@uuid;interface;protocol;destination_port\n;lan;ICMP;80\n;lan;TCP;8443\n")
      const [replied] = Object.keys(res.body.uuids).filter((u) => res.body.uuids[u] === 1)
      const saved = [...sim.state.rules.entries()].filter(([, r]) => r["destination_port"] === "8443")
      expect(saved).toHaveLength(1)
      expect(saved[0]?.[0]).not.toBe(replied)
    })

    it("updates by @uuid, detects `,` as separator and saves nothing when every row fails", async () => {
      const uuid = randomUUID()
      await upload(sim, `@uuid;interface;description\n${uuid};lan;before`)
      const res = await upload(sim, `@uuid,interface,description\n${uuid},lan,after`)
      expect(res.body).toMatchObject({ inserted: 0, updated: 1, uuids: { [uuid]: 0 }, validations: [] })
      expect(sim.state.rules.get(uuid)?.["description"]).toBe("after")
      const backups = sim.state.backups.length
      const none = await upload(sim, `@uuid;interface;protocol;destination_port\n${randomUUID()};lan;ICMP;1`)
      expect(none.body.validations).toHaveLength(1)
      expect(sim.state.backups.length).toBe(backups)
    })
  })
}
