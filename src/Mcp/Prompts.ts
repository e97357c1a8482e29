/**
 * MCP prompts: the four conversations an operator most often starts with an agent. Each one tells
 * the agent which tools to use, in which order, and where a human must decide.
 */
import type { McpServer } from "@modelcontextprotocol/server"
import * as Schema from "effect/Schema"
import { toMcpSchema } from "./Tool.ts"

const user = (text: string) => ({ messages: [{ role: "user" as const, content: { type: "text" as const, text } }] })

const optionalText = (description: string) => Schema.optional(Schema.String.annotate({ description }))

export const register = (server: McpServer): void => {
  server.registerPrompt(
    "review_plan",
    {
      title: "Review this plan",
      description: "Review a plan before anyone applies it: risks, lockout, unexpected deletes, and a recommendation",
      argsSchema: toMcpSchema(Schema.Struct({
        planId: optionalText("planId to review; omit to make a fresh plan"),
        site: optionalText("site name, when there are several")
      }))
    },
    ({ planId, site }) =>
      user(
        [
          planId === undefined
            ? `Call the plan tool${site === undefined ? "" : ` for site "${site}"`} and review the plan it returns.`
            : `Review the stored plan ${planId} (read plan://latest/${
              site ?? "default"
            } or call plan again and compare planIds).`,
          "For every change say what it does in plain words. Flag: deletes; rules that open access from wide sources " +
          "(any, wan) or to management ports (22, 443, 80); changes on the interface the firewall is managed through; " +
          "anything in `blocked` or `warnings`. Call lint for shadowed or redundant rules, and explain_traffic for any " +
          "flow you are unsure about.",
          "End with a recommendation: apply, change first (say what), or reject. Do not call apply_plan yourself; a " +
          "person decides."
        ].join("\n\n")
      )
  )

  server.registerPrompt(
    "add_vlan",
    {
      title: "Add a VLAN with its rules",
      description: "Propose a new VLAN, an alias for its network and the rules it needs, as a git branch",
      argsSchema: toMcpSchema(Schema.Struct({
        name: Schema.String.annotate({ description: "VLAN name, e.g. iot" }),
        tag: Schema.String.annotate({ description: "802.1Q tag, 1..4094" }),
        parent: Schema.String.annotate({ description: "parent device, e.g. igb1" }),
        subnet: optionalText("its network, e.g. 10.30.0.0/24"),
        purpose: optionalText("what may it reach? e.g. \"DNS only, no LAN access\"")
      }))
    },
    ({ name, parent, purpose, subnet, tag }) =>
      user(
        [
          `Add VLAN "${name}" (tag ${tag} on ${parent})${subnet === undefined ? "" : ` with network ${subnet}`}.`,
          purpose === undefined ? "" : `Its access policy: ${purpose}.`,
          "1. Call list_live (kind vlan, then alias) to check the tag and names are free.",
          `2. Call propose_change with upserts: the vlan "${name}", a network alias "${name}_net"` +
          `${
            subnet === undefined ? "" : ` with content [${subnet}]`
          }, and the rules (least privilege: allow only what ` +
          "the purpose needs, log blocks). Write a commit message that says why.",
          "3. Show the branch, the commit and the plan propose_change returns; call lint on it.",
          "4. Stop there: the branch is reviewed and merged by a person, then plan and apply_plan run."
        ].filter((l) => l !== "").join("\n")
      )
  )

  server.registerPrompt(
    "fixed_address",
    {
      title: "Give this host a fixed address and a DNS name",
      description:
        "Propose a DHCP reservation for a host (MAC → IPv4 address in its Kea subnet) and, with a domain, an " +
        "Unbound host override for its name, as one git branch",
      argsSchema: toMcpSchema(Schema.Struct({
        mac: Schema.String.annotate({ description: "the host's MAC address, e.g. aa:bb:cc:00:30:10" }),
        ip: optionalText("the address it should get, e.g. 10.30.0.10; omit to pick a free one"),
        hostname: optionalText("host name handed to it, e.g. printer"),
        domain: optionalText("DNS domain for its name, e.g. office.lan; with a host name, adds a host override"),
        site: optionalText("site name, when there are several")
      }))
    },
    ({ domain, hostname, ip, mac, site }) =>
      user(
        [
          `Give the host with MAC ${mac} a fixed address${ip === undefined ? "" : ` (${ip})`}${
            hostname === undefined ? "" : `, host name "${hostname}"`
          }${site === undefined ? "" : ` on site "${site}"`}.`,
          "1. Call list_live (kind dhcp_subnet) to find the subnet the address belongs to" +
          `${ip === undefined ? " (ask which network the host is on if it is not clear)" : ""}, and list_live ` +
          "(kind dhcp_reservation) to check that neither the MAC nor the address is reserved already in that subnet.",
          "2. Pick an address inside the subnet and outside its pools (an address in a pool may be leased to " +
          "another client first).",
          "3. Call propose_change with one upsert of kind dhcp_reservation: subnet (the dhcp_subnets name of the " +
          "desired state, or the subnet's CIDR), mac, ip and hostname" +
          (hostname !== undefined && domain !== undefined
            ? `, and in the same call one upsert of kind host_override: host "${hostname}", domain "${domain}", ` +
              "the same address (list_live kind host_override first: the name must not be taken)"
            : "") +
          ". Write a commit message that says why.",
          "4. Show the branch, the commit and the plan propose_change returns (the creates, applied with one Kea " +
          "reconfigure and, with a name, one Unbound reconfigure). Stop there: a person reviews and merges the " +
          "branch, then plan and apply_plan run."
        ].join("\n")
      )
  )

  server.registerPrompt(
    "investigate_drift",
    {
      title: "Investigate drift",
      description: "Find what changed on the firewall outside git and propose what to do about each change",
      argsSchema: toMcpSchema(Schema.Struct({ site: optionalText("site name, when there are several") }))
    },
    ({ site }) =>
      user(
        [
          `Call drift_report${site === undefined ? "" : ` for site "${site}"`}.`,
          "For each drifted object compare desired and live values; use list_live with a name filter to see the live " +
          "object and audit_log to see whether an apply explains it.",
          "For each one recommend: revert (plan + apply restores the desired state) or keep (propose_change to write " +
          "the live value into git). For unmanaged objects that appeared, say whether to adopt them (import_live) or leave them.",
          "Summarise in a table: object, what changed, recommendation, risk."
        ].join("\n")
      )
  )
}
