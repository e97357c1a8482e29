import { request } from "node:https"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type SimulatorHandle, startSimulator } from "../../src/Simulator.ts"
import { call, post } from "./helpers.ts"

describe("simulator: routing, authentication, authorisation", () => {
  let sim: SimulatorHandle
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(() => sim.close())

  it("serves HTTPS with a certificate that verifies against the CA it hands out", async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(sim.caPem).toContain("BEGIN CERTIFICATE")
    const res = await call(sim, "/api/core/system/status")
    expect(res.status).toBe(200)
    // without the CA the handshake is refused: the certificate is self-signed like a real box's
    await expect(
      new Promise((resolve, reject) =>
        request(new URL("/api/core/system/status", sim.url), { agent: false }, resolve).on("error", reject).end()
      )
    ).rejects.toThrow(/self-signed|self signed|unable to verify/i)
  })

  it("answers unknown endpoints with 404 JSON before checking credentials", async () => {
    for (const auth of [false, { key: "nope", secret: "nope" }] as const) {
      const res = await call(sim, "/api/firewall/nonexistent/search_item", { auth })
      expect(res.status).toBe(404)
      expect(res.body).toEqual({ errorMessage: "Endpoint not found" })
    }
    // a known controller with an unknown action, and too few required parameters, are 404 too
    expect((await call(sim, "/api/firewall/filter/frobnicate", { auth: false })).status).toBe(404)
    expect((await post(sim, "/api/firewall/filter/del_rule", undefined, { auth: false })).status).toBe(404)
    // the controller name must match the file name exactly: vlansettings is not VlanSettings
    expect((await call(sim, "/api/interfaces/vlansettings/search_item")).status).toBe(404)
    expect((await call(sim, "/api/interfaces/VlanSettings/search_item")).status).toBe(200)
  })

  it("rejects bad credentials with the recorded 401 body, and a missing header with an empty 401", async () => {
    const bad = await call(sim, "/api/core/system/status", { auth: { key: sim.apiKey, secret: "wrong" } })
    expect(bad.status).toBe(401)
    expect(bad.text).toBe("{\"status\":401,\"message\":\"Authentication Failed\"}")
    const none = await call(sim, "/api/core/system/status", { auth: false })
    expect(none.status).toBe(401)
    expect(none.text).toBe("")
  })

  it("accepts snake_case and camelCase action names", async () => {
    const a = await call(sim, "/api/firewall/filter/search_rule")
    const b = await call(sim, "/api/firewall/filter/searchRule")
    expect(a.status).toBe(200)
    expect(b.body).toEqual(a.body)
    expect((await call(sim, "/api/firewall/alias/getAliasUUID/rfc1918")).body).toEqual(
      (await call(sim, "/api/firewall/alias/get_alias_u_u_i_d/rfc1918")).body
    )
  })

  it("refuses a key without the privilege with 403, matching ACL patterns case-sensitively", async () => {
    sim.state.apiKeys.push({ key: "reader", secret: "s3cret", user: "reader", privileges: ["page-firewall-aliases"] })
    const auth = { key: "reader", secret: "s3cret" }
    expect((await call(sim, "/api/firewall/alias/search_item", { auth })).status).toBe(200)
    const forbidden = await call(sim, "/api/firewall/filter/search_rule", { auth })
    expect(forbidden.status).toBe(403)
    expect(forbidden.body).toEqual({ status: 403, message: "Forbidden" })
    // the read-only privilege lists get* and search*, so a write is forbidden
    expect((await post(sim, "/api/firewall/alias/add_item", { alias: {} }, { auth })).status).toBe(403)
    // ACL patterns are matched case-sensitively on the raw URI: `System` routes, but misses `api/core/system/status*`
    sim.state.apiKeys.push({
      key: "dash",
      secret: "s",
      user: "dash",
      privileges: ["page-diagnostics-configurationhistory", "page-system-status"]
    })
    expect((await call(sim, "/api/core/system/status", { auth: { key: "dash", secret: "s" } })).status).toBe(200)
    expect((await call(sim, "/api/core/System/status", { auth: { key: "dash", secret: "s" } })).status).toBe(403)
  })

  it("gives read-only users a 500 UserException on write", async () => {
    sim.state.apiKeys.push({ key: "ro", secret: "ro", user: "auditor", privileges: ["page-all"], readonly: true })
    const res = await post(sim, "/api/firewall/category/add_item", { category: { name: "ro_test" } }, {
      auth: { key: "ro", secret: "ro" }
    })
    expect(res.status).toBe(500)
    expect(res.body.errorMessage).toBe("User auditor denied for write access (user-config-readonly set)")
  })

  it("turns a JSON content type with an empty body into 400, and invalid JSON into an empty POST", async () => {
    const empty = await call(sim, "/api/core/system/status", { contentType: "application/json" })
    expect(empty.status).toBe(400)
    expect(empty.body).toEqual({ status: 400, message: "Invalid JSON syntax" })
    const invalid = await call(sim, "/api/firewall/alias/add_item", {
      method: "POST",
      raw: "{nope",
      contentType: "application/json"
    })
    expect(invalid.body).toEqual({ result: "failed" })
  })

  it("accepts form-encoded bodies with PHP bracket names", async () => {
    const res = await call(sim, "/api/firewall/category/add_item", {
      method: "POST",
      raw: "category[name]=form_made&category[color]=00ff00",
      contentType: "application/x-www-form-urlencoded"
    })
    expect(res.body.result).toBe("saved")
  })

  it("answers a wrong method softly with HTTP 200, never 405", async () => {
    expect((await call(sim, "/api/firewall/filter/add_rule")).body).toEqual({ result: "failed" })
    expect((await call(sim, "/api/firewall/filter/apply")).body).toEqual({ status: "error" })
    expect((await call(sim, "/api/firewall/alias/reconfigure")).body).toEqual({ status: "failed" })
    expect((await post(sim, "/api/firewall/filter/get")).body).toEqual([])
  })

  it("escapes JSON like PHP: slashes and non-ASCII", async () => {
    await post(sim, "/api/firewall/category/add_item", { category: { name: "Zoné/1" } })
    const res = await call(sim, "/api/firewall/category/search_item")
    expect(res.text).toContain("Zon\\u00e9\\/1")
  })
})
