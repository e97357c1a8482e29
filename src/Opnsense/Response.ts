/**
 * From a raw HTTP response to a decoded value or a typed error a user can act on:
 * 401 → AuthenticationError, 403 → PermissionError (naming the privilege when the path tells it),
 * 404 → NotFoundError, 500 with errorMessage → OperationRefusedError, anything else that is not the
 * shape this version should return → UnexpectedResponseError naming the field and its path.
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import {
  AuthenticationError,
  NotFoundError,
  OperationRefusedError,
  PermissionError,
  UnexpectedResponseError,
  ValidationError
} from "./Errors.ts"
import type { RawResponse } from "./Http.ts"
import { isMap } from "./Wire.ts"

/**
 * ACL keys for the URL patterns the client uses, with the name System > Access > Users shows for
 * them (opnsense/core 25.7, 26.1, 26.7.2: src/opnsense/mvc/app/models/OPNsense/Core/ACL/ACL.xml,
 * Firewall/ACL/ACL.xml, Interfaces/ACL/ACL.xml; names as at 26.7.2), longest prefix first.
 */
const PRIVILEGES: ReadonlyArray<readonly [string, string]> = [
  ["interfaces/vlan_settings/", "page-interfaces-vlan-edit (Interfaces: VLAN)"],
  ["firewall/filter/", "page-filter-api (Firewall: Rules [new])"],
  ["firewall/alias/", "page-firewall-alias-edit (Firewall: Alias: Edit)"],
  ["firewall/category/", "page-firewall-categories (Firewall: Categories)"],
  // the NAT kinds (src/Kinds/OutboundNat, src/Kinds/OneToOne): opnsense/core 25.7, 26.1.5, 26.7.2
  // src/opnsense/mvc/app/models/OPNsense/Firewall/ACL/ACL.xml
  ["firewall/source_nat/", "page-filter-snat-api (Firewall: NAT: Source NAT)"],
  ["firewall/one_to_one/", "page-firewall-nat-1-1-edit (Firewall: NAT: 1:1)"],
  // the other kinds' endpoints (opnsense/core 26.7.2: src/opnsense/mvc/app/models/OPNsense/Firewall/ACL/ACL.xml,
  // Interfaces/ACL/ACL.xml, Kea/ACL/ACL.xml, Unbound/ACL/ACL.xml, Core/ACL/ACL.xml)
  ["firewall/d_nat/", "page-firewall-nat-portforward-edit (Firewall: NAT: Destination NAT)"],
  ["interfaces/assignment/", "page-interfaces-assignnetworkports (Interfaces: Assign network ports)"],
  ["kea/", "page-dhcp-kea-v4 (Services: DHCP: Kea(v4))"],
  [
    "unbound/settings/search_host",
    "page-services-dnsresolver-overrides (Services: Unbound DNS: Edit Host and Domain Override)"
  ],
  ["unbound/", "page-services-unbound (Services: Unbound)"],
  ["routing/settings/", "page-system-gateways (System: Gateways)"],
  ["routes/", "page-system-staticroutes (System: Static Routes)"],
  ["core/system/status", "page-system-status (System: Status)"],
  ["core/backup/", "page-diagnostics-configurationhistory (Diagnostics: Configuration History)"],
  // version detection: <page-system-firmware-manualupdate> holds api/core/firmware/*
  ["core/firmware/", "page-system-firmware-manualupdate (System: Firmware)"]
]

export const privilegeFor = (path: string): string | undefined =>
  PRIVILEGES.find(([prefix]) => path.startsWith(prefix))?.[1]

const truncate = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text)

const ErrorBody = Schema.Struct({
  errorMessage: Schema.String,
  errorTitle: Schema.optional(Schema.String)
})

const parseJson = (body: string): Result.Result<unknown, string> => {
  try {
    return Result.succeed(JSON.parse(body))
  } catch (error) {
    return Result.fail(error instanceof Error ? error.message : String(error))
  }
}

export interface Context {
  readonly site: string
  readonly baseUrl: string
  /** "GET firewall/filter/get" */
  readonly endpoint: string
  readonly path: string
}

export type HttpError =
  | AuthenticationError
  | PermissionError
  | NotFoundError
  | OperationRefusedError
  | UnexpectedResponseError

/** Map the status line; succeed with the parsed JSON body for 2xx. */
export const checkStatus = (ctx: Context, response: RawResponse): Effect.Effect<unknown, HttpError> => {
  const { status } = response
  if (status === 401) {
    return Effect.fail(
      new AuthenticationError({
        message:
          `${ctx.baseUrl} refused the API key (401 Authentication Failed): check OPNSENSE_API_KEY/OPNSENSE_API_SECRET ` +
          `(or the site's credential variables), and that the key's user is enabled and not expired`,
        site: ctx.site
      })
    )
  }
  if (status === 403) {
    const privilege = privilegeFor(ctx.path)
    return Effect.fail(
      new PermissionError({
        message: privilege === undefined
          ? `the API user may not call ${ctx.endpoint} (403 Forbidden): grant it the matching privilege in System > Access > Users`
          : `the API user lacks the privilege ${privilege} needed for ${ctx.endpoint} (403 Forbidden): grant it in System > Access > Users`,
        site: ctx.site,
        endpoint: ctx.endpoint,
        ...(privilege !== undefined ? { privilege } : {})
      })
    )
  }
  if (status === 404) {
    return Effect.fail(
      new NotFoundError({
        message: `${ctx.endpoint} does not exist on ${ctx.baseUrl} (404): this OPNsense version does not offer it`,
        site: ctx.site,
        endpoint: ctx.endpoint
      })
    )
  }
  const parsed = parseJson(response.body)
  if (status >= 500) {
    const body = Result.isSuccess(parsed) ? Schema.decodeUnknownOption(ErrorBody)(parsed.success) : undefined
    if (body !== undefined && body._tag === "Some" && !body.value.errorMessage.startsWith("Unexpected error")) {
      const title = body.value.errorTitle ?? ""
      return Effect.fail(
        new OperationRefusedError({
          message: `${ctx.endpoint} was refused by the firewall${
            title !== "" ? ` (${title})` : ""
          }: ${body.value.errorMessage.trim()}`,
          site: ctx.site,
          endpoint: ctx.endpoint,
          title
        })
      )
    }
    return Effect.fail(
      new UnexpectedResponseError({
        message:
          `${ctx.endpoint} failed with HTTP ${status} on ${ctx.baseUrl}: ${
            truncate(response.body.trim() || "(empty body)")
          }` +
          (status === 500 ? " (see the firewall's log: System > Log Files > Backend)" : ""),
        site: ctx.site,
        endpoint: ctx.endpoint,
        status
      })
    )
  }
  if (status < 200 || status >= 300) {
    return Effect.fail(
      new UnexpectedResponseError({
        message: `${ctx.endpoint} answered HTTP ${status}: ${truncate(response.body.trim() || "(empty body)")}`,
        site: ctx.site,
        endpoint: ctx.endpoint,
        status
      })
    )
  }
  if (Result.isFailure(parsed)) {
    return Effect.fail(
      new UnexpectedResponseError({
        message: `${ctx.endpoint} did not return JSON (${parsed.failure}): ${
          truncate(response.body.trim() || "(empty body)", 120)
        }`,
        site: ctx.site,
        endpoint: ctx.endpoint,
        status
      })
    )
  }
  return Effect.succeed(parsed.success)
}

/**
 * Decode a JSON value with a wire Schema; the error names the field and its path.
 *
 * A schema that only describes a shape (no transformation anywhere: its encoded form is itself)
 * takes a value that already is the type as it is: checking a 10,000-row listing builds no second
 * copy of it. Only a value that fails the check is decoded, for the message. A schema with a
 * transformation always decodes.
 */
export const decode = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S) => {
  const isType = SchemaAST.toEncoded(schema.ast) === schema.ast ? Schema.is(schema) : () => false
  const decodeResult = Schema.decodeUnknownResult(schema)
  return (ctx: Context, status: number) => (input: unknown): Effect.Effect<S["Type"], UnexpectedResponseError> => {
    if (isType(input)) return Effect.succeed(input)
    const result = decodeResult(input)
    if (Result.isSuccess(result)) return Effect.succeed(result.success)
    return Effect.fail(
      new UnexpectedResponseError({
        message: `${ctx.endpoint} returned an unexpected shape: ${result.failure.message.replace(/\n\s*/g, " ")}`,
        site: ctx.site,
        endpoint: ctx.endpoint,
        status
      })
    )
  }
}

/** A write result: {"result":"saved"|"deleted"|...} or {"result":"failed","validations":{...}}. */
const Validations = Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Array(Schema.String)]))
export const WriteResult = Schema.Struct({
  result: Schema.String,
  uuid: Schema.optional(Schema.String),
  validations: Schema.optional(Schema.Union([Validations, Schema.Array(Schema.Unknown)]))
})
export type WriteResult = typeof WriteResult.Type

/** Turn a "failed" write into a ValidationError with field → message; pass anything else through. */
export const checkWrite = (
  ctx: Context,
  wrapper: string,
  result: WriteResult
): Effect.Effect<WriteResult, ValidationError> => {
  if (result.result !== "failed") return Effect.succeed(result)
  const validations: Record<string, string> = {}
  if (result.validations !== undefined && isMap(result.validations)) {
    for (const [key, value] of Object.entries(result.validations)) {
      validations[key] = typeof value === "string" ? value : value.join(" ")
    }
  }
  const entries = Object.entries(validations)
  const message = entries.length === 0
    ? `${ctx.endpoint} was rejected without validation messages: the "${wrapper}" wrapper was missing, the uuid is malformed, or the method is wrong`
    : `${ctx.endpoint} was rejected: ${
      entries.map(([field, text]) => `${field.replace(`${wrapper}.`, "")}: ${text}`).join("; ")
    }`
  return Effect.fail(new ValidationError({ message, site: ctx.site, endpoint: ctx.endpoint, validations }))
}
