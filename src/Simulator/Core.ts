/**
 * `core/system/status`, `core/firmware/status`, `core/backup` and `interfaces/overview`.
 */
import type { Controller, Ctx } from "./Router.ts"
import { ifaceLabel, LOOPBACK, type Revision, type SimulatorState, type Snapshot } from "./State.ts"
import { json, raw } from "./Wire.ts"

export const systemController: Controller = {
  module: "core",
  controller: "system",
  actions: {
    status: {
      handle: () =>
        json({
          metadata: {
            // the integer 2 when no subsystem reports anything (§10.1 quirk)
            system: { status: 2, message: "No pending messages", title: "System" },
            translations: { dialogTitle: "System Status", dialogCloseButton: "Close" },
            subsystems: []
          }
        })
    },
    dismiss_status: { handle: (req) => json({ status: req.isPost ? "ok" : "failed" }) }
  }
}

const firmwareStatus = (c: Ctx) => {
  const v = c.v
  const abi = v.series
  const next = v.series === "26.7" ? "27.1" : "26.7"
  const mirror = `https://pkg.opnsense.org/FreeBSD:${v.osVersion.includes("15.") ? "15" : "14"}:amd64/${abi}`
  const check = {
    api_version: "2",
    connection: "ok",
    downgrade_packages: [],
    download_size: "",
    last_check: new Date().toUTCString(),
    needs_reboot: "0",
    new_packages: [],
    os_version: v.osVersion,
    product_id: "opnsense",
    product_target: "opnsense",
    product_version: v.full,
    product_abi: abi,
    reinstall_packages: [],
    remove_packages: [],
    repository: "ok",
    upgrade_major_message: "",
    upgrade_major_version: "",
    upgrade_needs_reboot: "0",
    upgrade_packages: [],
    upgrade_sets: []
  }
  const product = {
    CORE_ABI: abi,
    CORE_ARCH: "amd64",
    CORE_COMMIT: `${v.full} 0 ${v.commit}`,
    CORE_CONFLICTS: "os-firewall os-firewall-devel",
    CORE_COPYRIGHT_HOLDER: "Deciso B.V.",
    CORE_COPYRIGHT_WWW: "https://www.deciso.com/",
    CORE_COPYRIGHT_YEARS: "2014-2026",
    CORE_GID: "789",
    CORE_GROUP: "wwwonly",
    CORE_HASH: v.commit,
    CORE_MAINTAINER: "project@opnsense.org",
    CORE_NAME: "opnsense",
    CORE_NEXT: next,
    CORE_NICKNAME: v.nickname,
    CORE_PACKAGESITE: "https://pkg.opnsense.org",
    CORE_PKGVERSION: v.full,
    CORE_PRODUCT: "OPNsense",
    CORE_PYTHON_DOT: "3.13",
    CORE_SERIES: abi,
    CORE_SERIES_FW: `${abi} `,
    CORE_SYSLOGNG: "4.12",
    CORE_UID: "789",
    CORE_USER: "wwwonly",
    CORE_VERSION: v.full,
    CORE_WWW: "https://opnsense.org/",
    product_abi: abi,
    product_arch: "amd64",
    product_check: check,
    product_conflicts: "os-firewall os-firewall-devel",
    product_copyright_owner: "Deciso B.V.",
    product_copyright_url: "https://www.deciso.com/",
    product_copyright_years: "2014-2026",
    product_email: "project@opnsense.org",
    product_hash: v.commit,
    product_id: "opnsense",
    product_latest: v.full,
    product_license: [],
    product_log: 0,
    product_mirror: mirror,
    product_name: "OPNsense",
    product_nickname: v.nickname,
    product_repos: "OPNsense (Priority: 11)",
    product_series: abi,
    product_tier: "1",
    product_time: new Date().toUTCString(),
    product_version: v.full,
    product_website: "https://opnsense.org/"
  }
  return {
    ...check,
    product,
    all_packages: [],
    all_sets: [],
    status_msg: "There are no updates available on the selected mirror.",
    status: "none"
  }
}

export const firmwareController: Controller = {
  module: "core",
  controller: "firmware",
  actions: {
    status: { handle: (_req, c) => json(firmwareStatus(c)) },
    info: {
      handle: (_req, c) =>
        json({
          product_id: "opnsense",
          product_version: c.v.full,
          package: [],
          plugin: [],
          changelog: [],
          product: firmwareStatus(c).product
        })
    }
  }
}

// --- core/backup (§10.4) ------------------------------------------------------------------------

const xmlEscape = (t: string) =>
  t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
const xmlItems = (tag: string, items: ReadonlyMap<string, Readonly<Record<string, string>>>, indent: string) =>
  [...items]
    .map(([uuid, item]) => {
      const fields = Object.entries(item).map(([k, v]) =>
        `${indent}  <${k.replace(/[^A-Za-z0-9_.-]/g, "_")}>${xmlEscape(v)}</${k.replace(/[^A-Za-z0-9_.-]/g, "_")}>`
      )
      return `${indent}<${tag} uuid="${uuid}">\n${fields.join("\n")}\n${indent}</${tag}>`
    })
    .join("\n")

/** A config.xml rendering of one revision (enough for a diff and a human to read, not a real box's full config). */
export const configXml = (s: SimulatorState, snap: Snapshot, revision: Revision | undefined): string =>
  [
    `<?xml version="1.0"?>`,
    `<opnsense>`,
    `  <system><hostname>${s.hostname}</hostname><domain>${s.domain}</domain>${
      s.backupCount === undefined ? "" : `<backupcount>${s.backupCount}</backupcount>`
    }</system>`,
    `  <interfaces>`,
    ...snap.interfaces.map((i) =>
      `    <${i.identifier}><if>${i.device}</if><descr>${xmlEscape(i.description)}</descr><ipaddr>${
        i.ipaddr ?? ""
      }</ipaddr><subnet>${i.subnet ?? ""}</subnet>${i.lock === true ? "<lock>1</lock>" : ""}</${i.identifier}>`
    ),
    `  </interfaces>`,
    `  <vlans version="1.0.0">`,
    xmlItems("vlan", snap.vlans, "    "),
    `  </vlans>`,
    `  <nat>`,
    snap.natOutboundMode === "" ? "" : `    <outbound><mode>${xmlEscape(snap.natOutboundMode)}</mode></outbound>`,
    xmlItems("rule", snap.dnat, "    "),
    `  </nat>`,
    `  <OPNsense>`,
    `    <Firewall>`,
    `      <Alias version="1.0.1"><aliases>`,
    xmlItems("alias", snap.aliases, "        "),
    `      </aliases></Alias>`,
    `      <Category><categories>`,
    xmlItems("category", snap.categories, "        "),
    `      </categories></Category>`,
    `      <Filter><rules>`,
    xmlItems("rule", snap.rules, "        "),
    `      </rules><snatrules>`,
    xmlItems("rule", snap.snat, "        "),
    `      </snatrules><onetoone>`,
    xmlItems("rule", snap.onetoone, "        "),
    `      </onetoone></Filter>`,
    `    </Firewall>`,
    `  </OPNsense>`,
    revision === undefined
      ? ""
      : `  <revision><username>${xmlEscape(revision.username)}</username><time>${revision.time}</time><description>${
        xmlEscape(revision.description)
      }</description></revision>`,
    `</opnsense>`,
    ``
  ]
    .filter((l) => l !== "")
    .join("\n")

export const backupController: Controller = {
  module: "core",
  controller: "backup",
  actions: {
    providers: { handle: () => json({ items: { this: { description: "This Firewall", dirname: "/conf/backup" } } }) },
    backups: {
      params: 1,
      handle: (req, c) => {
        if (req.params[0] !== "this") return json({ items: [] })
        const s = c.state
        return json({
          items: s.backups.map((b) => ({
            time: b.time,
            time_iso: b.timeIso,
            description: b.description,
            username: b.username,
            filesize: Buffer.byteLength(configXml(s, b.snapshot, b)),
            id: b.id
          }))
        })
      }
    },
    download: {
      params: 1,
      handle: (req, c) => {
        const s = c.state
        if (req.params[0] !== "this") return raw("", "application/octet-stream")
        const id = req.params[1]
        const b = id === undefined ? s.backups[0] : s.backups.find((x) => x.id === id)
        const snap = id === undefined ? s.snapshot() : b?.snapshot
        if (snap === undefined) return raw("", "application/octet-stream")
        const name = `config-${s.hostname}.${s.domain}-${(b?.time ?? String(Date.now() / 1000)).replace(".", "")}.xml`
        return raw(configXml(s, snap, b), "application/octet-stream", {
          "Content-Disposition": `attachment; filename=${name}`
        })
      }
    },
    revert_backup: {
      params: 1,
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "failed" })
        const b = c.state.backups.find((x) => x.id === req.params[0])
        if (b === undefined) return json({ status: "not_found" })
        // the whole config is replaced and saved as a new revision; nothing is reloaded
        c.state.restore(b.snapshot)
        c.save(req)
        return json({ status: "reverted" })
      }
    },
    delete_backup: {
      params: 1,
      handle: (req, c) => {
        if (!req.isPost) return json({ status: "failed" })
        const before = c.state.backups.length
        c.state.backups = c.state.backups.filter((x) => x.id !== req.params[0])
        return json({ status: c.state.backups.length < before ? "deleted" : "not_found" })
      }
    }
  }
}

// --- interfaces/overview -----------------------------------------------------------------------
// One row per device ifconfig lists (pfsync0 left out), with identifier/description/addresses of
// the config interface it is assigned to, lo0 included (the loopback plugin registers it).
// opnsense/core 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Interfaces/Api/OverviewController.php parseIfInfo

const overviewRows = (s: SimulatorState, stats: boolean) => {
  const rows: Array<Record<string, unknown>> = []
  // the kernel's devices (legacy_interfaces_details), not the config
  const vlanDevices = [...s.vlanDevices].map(([name, v]) => ({
    name,
    mac: s.devices.find((d) => d.name === v["if"])?.mac ?? "00:00:00:00:00:00",
    tag: v["tag"] ?? null
  }))
  const loopback = { name: LOOPBACK.device, mac: "", tag: null }
  const devices = [...s.devices.map((x) => ({ ...x, tag: null as string | null })), ...vlanDevices, loopback]
  for (const d of devices) {
    const iface = s.configInterfaces().find((i) => i.device === d.name)
    const addr4 = iface?.ipaddr !== undefined && iface.subnet !== undefined ? `${iface.ipaddr}/${iface.subnet}` : ""
    const addr6 = iface?.ipaddrv6 !== undefined && iface.subnetv6 !== undefined
      ? `${iface.ipaddrv6}/${iface.subnetv6}`
      : ""
    const row: Record<string, unknown> = {
      device: d.name,
      identifier: iface?.identifier ?? "",
      description: iface === undefined ? "Unassigned Interface" : ifaceLabel(iface),
      status: "up",
      enabled: iface !== undefined && iface.enabled !== false,
      link_type: addr4 === "" ? "none" : "static",
      link_typev6: "none",
      addr4,
      addr6,
      ipv4: addr4 === "" ? [] : [{ ipaddr: addr4 }],
      ipv6: addr6 === "" ? [] : [{ ipaddr: addr6 }],
      vlan_tag: d.tag,
      gateways: [],
      routes: [],
      macaddr: d.mac,
      mtu: "1500",
      flags: ["up", "broadcast", "running", "simplex", "multicast"],
      capabilities: [],
      options: [],
      is_physical: d.tag === null && d !== loopback,
      supported_media: []
    }
    if (stats) {
      row["statistics"] = {
        "packets received": "0",
        "packets transmitted": "0",
        "bytes received": "0",
        "bytes transmitted": "0"
      }
    }
    rows.push(row)
  }
  return rows
}

export const overviewController: Controller = {
  module: "interfaces",
  controller: "overview",
  actions: {
    interfaces_info: {
      handle: (req, c) => {
        const rows = overviewRows(c.state, (req.params[0] ?? "") !== "")
        return json({ total: rows.length, rowCount: rows.length, current: 1, rows })
      }
    },
    get_interface: {
      params: 1,
      handle: (req, c) => {
        const row = overviewRows(c.state, false).find((r) => r["device"] === req.params[0])
        if (row === undefined) return json({ message: "failed" })
        const message: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(row)) message[k] = { value: v, translation: k }
        return json({ message })
      }
    }
  }
}
