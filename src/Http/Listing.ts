/**
 * The answers of GET /api/vlans|rules|aliases, serialised once per snapshot: the client hands back
 * the same snapshot object while it is fresh, so a hot listing is one lookup, not a JSON.stringify
 * and a UTF-8 encoding of every object per request (414 KB at 1,000 rules). Each body has a strong
 * ETag (a poller sending If-None-Match gets 304 and no body), its compressed forms are made once
 * per snapshot when ENABLE_COMPRESSION is on, and `?limit=&cursor=` pages through a kind.
 */
import * as Effect from "effect/Effect"
import type { HttpServerResponse } from "effect/http/HttpServerResponse"
import { createHash } from "node:crypto"
import { promisify } from "node:util"
import * as Zlib from "node:zlib"
import type { LiveSnapshot } from "../Domain/Model.ts"
import { error, jsonBytes, notModified } from "./Respond.ts"

export type Kind = "vlans" | "rules" | "aliases"

export interface ListingOptions {
  /** COMPRESSION_LEVEL when ENABLE_COMPRESSION is on; undefined when off */
  readonly compressionLevel?: number | undefined
}

/** Largest page, and the page size when only a cursor is given. */
export const MAX_LIMIT = 1_000
export const DEFAULT_LIMIT = 100

type Encoding = "br" | "gzip" | "deflate"

interface Body {
  readonly bytes: Uint8Array
  /** sha256 of the bytes, base64url: the identity ETag; compressed forms append their coding */
  readonly hash: string
  /** compressed forms: the bytes once made, the pending compression before */
  readonly encoded: Map<Encoding, Uint8Array | Promise<Uint8Array>>
}

const rendered = new WeakMap<LiveSnapshot, Map<Kind, Body>>()

const envelope = (snapshot: LiveSnapshot, kind: Kind) => ({
  site: snapshot.site,
  kind,
  fetchedAt: snapshot.fetchedAt,
  stale: snapshot.stale,
  firewallVersion: snapshot.version.raw
})

const bodyOf = (snapshot: LiveSnapshot, kind: Kind): Body => {
  let byKind = rendered.get(snapshot)
  if (byKind === undefined) {
    byKind = new Map()
    rendered.set(snapshot, byKind)
  }
  let body = byKind.get(kind)
  if (body === undefined) {
    const items = snapshot[kind]
    const bytes = Buffer.from(JSON.stringify({ ...envelope(snapshot, kind), count: items.length, items }))
    body = { bytes, hash: createHash("sha256").update(bytes).digest("base64url"), encoded: new Map() }
    byKind.set(kind, body)
  }
  return body
}

// The same choice and settings as the server's compression middleware (Http.ts), so a cached
// answer is what the middleware would have sent: br, then gzip, then deflate; bodies under 1 KB
// stay as they are.
const PREFERRED: ReadonlyArray<Encoding> = ["br", "gzip", "deflate"]
const MIN_COMPRESSED_BYTES = 1024
const ACCEPT_MEMBER = /^([a-z0-9!#$%&'*+.^_`|~-]+)(?:;q=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?))?$/

const negotiate = (header: string | undefined): Encoding | undefined => {
  if (header === undefined) return undefined
  const accepted = new Map<string, number>()
  for (const part of header.split(",")) {
    const member = part.trim().toLowerCase().replace(/[ \t]*;[ \t]*/g, ";")
    if (member === "") continue
    const match = ACCEPT_MEMBER.exec(member)
    if (match?.[1] === undefined) return undefined
    accepted.set(match[1], match[2] === undefined ? 1 : Number(match[2]))
  }
  return PREFERRED.find((coding) => (accepted.get(coding) ?? accepted.get("*") ?? 0) > 0)
}

const gzip = promisify(Zlib.gzip)
const deflate = promisify(Zlib.deflate)
const brotli = promisify(Zlib.brotliCompress)

const compress = (bytes: Uint8Array, coding: Encoding, level: number): Promise<Uint8Array> => {
  switch (coding) {
    case "gzip":
      return gzip(bytes, { level })
    case "deflate":
      return deflate(bytes, { level })
    case "br":
      return brotli(bytes, {
        params: {
          [Zlib.constants.BROTLI_PARAM_QUALITY]: Math.min(11, level),
          [Zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength
        }
      })
  }
}

/** If-None-Match holds this tag (weak comparison, RFC 9110 §13.1.2) or `*`. */
const matches = (header: string | undefined, etags: ReadonlyArray<string>): boolean =>
  header !== undefined &&
  header.split(",").some((raw) => {
    const tag = raw.trim()
    const opaque = tag.startsWith("W/") ? tag.slice(2) : tag
    return tag === "*" || etags.some((etag) => (etag.startsWith("W/") ? etag.slice(2) : etag) === opaque)
  })

/** The cursor names where the next page starts and the item before it, so a change is noticed. */
const encodeCursor = (offset: number, uuid: string) => `${offset}.${Buffer.from(uuid).toString("base64url")}`
const CURSOR = /^(\d{1,9})\.([A-Za-z0-9_-]*)$/

type Page = { readonly start: number; readonly limit: number } | HttpServerResponse

const pageOf = (items: ReadonlyArray<{ readonly uuid: string }>, query: URLSearchParams): Page => {
  const rawLimit = query.get("limit")
  const rawCursor = query.get("cursor")
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return error(400, "InvalidLimit", `limit must be a whole number from 1 to ${MAX_LIMIT}, got "${rawLimit}"`)
  }
  if (rawCursor === null || rawCursor === "") return { start: 0, limit }
  const match = CURSOR.exec(rawCursor)
  if (match?.[1] === undefined || match[2] === undefined) {
    return error(
      400,
      "InvalidCursor",
      "cursor is not one this server gave out: pass nextCursor from the previous page unchanged"
    )
  }
  const offset = Number(match[1])
  const after = Buffer.from(match[2], "base64url").toString("utf8")
  if (offset > 0 && offset <= items.length && items[offset - 1]?.uuid === after) return { start: offset, limit }
  // the listing changed since: continue after that item wherever it is now
  const moved = items.findIndex((item) => item.uuid === after)
  return moved >= 0 ? { start: moved + 1, limit } : error(
    410,
    "CursorExpired",
    "the item this cursor continues from is gone from the listing: start again without a cursor"
  )
}

const paged = (
  snapshot: LiveSnapshot,
  kind: Kind,
  body: Body,
  query: URLSearchParams,
  ifNoneMatch: string | undefined
) => {
  const items: ReadonlyArray<{ readonly uuid: string }> = snapshot[kind]
  const page = pageOf(items, query)
  if (!("start" in page)) return page
  const { limit, start } = page
  // a page is a pure function of the whole body and its bounds: its tag needs no hashing
  const etag = `W/"${body.hash}-${start}-${limit}"`
  if (matches(ifNoneMatch, [etag])) return notModified(etag)
  const slice = snapshot[kind].slice(start, start + limit)
  const end = start + slice.length
  const last = items[end - 1]
  const nextCursor = end < items.length && last !== undefined ? encodeCursor(end, last.uuid) : null
  const json = JSON.stringify({
    ...envelope(snapshot, kind),
    count: slice.length,
    total: items.length,
    nextCursor,
    items: slice
  })
  return jsonBytes(Buffer.from(json), 200, { etag })
}

/** The answer to one listing request: whole or paged, 304 when the caller has it, compressed once. */
export const listing = (
  snapshot: LiveSnapshot,
  kind: Kind,
  request: { readonly headers: Readonly<Record<string, string | undefined>> },
  query: URLSearchParams,
  options: ListingOptions
): Effect.Effect<HttpServerResponse> => {
  const body = bodyOf(snapshot, kind)
  const ifNoneMatch = request.headers["if-none-match"]
  if (query.has("limit") || query.has("cursor")) return Effect.succeed(paged(snapshot, kind, body, query, ifNoneMatch))
  const etag = `"${body.hash}"`
  const level = options.compressionLevel
  const coding = level === undefined || body.bytes.byteLength < MIN_COMPRESSED_BYTES
    ? undefined
    : negotiate(request.headers["accept-encoding"])
  const vary = level === undefined ? {} : { vary: "accept-encoding" }
  if (level === undefined || coding === undefined) {
    return Effect.succeed(
      matches(ifNoneMatch, [etag]) ? notModified(etag, vary) : jsonBytes(body.bytes, 200, { etag, ...vary })
    )
  }
  const encodedTag = `"${body.hash}-${coding}"`
  if (matches(ifNoneMatch, [encodedTag, etag])) return Effect.succeed(notModified(encodedTag, vary))
  const respond = (bytes: Uint8Array) =>
    jsonBytes(bytes, 200, { etag: encodedTag, "content-encoding": coding, ...vary })
  const encoded = body.encoded.get(coding)
  // made: answer now (awaiting even a settled promise costs a trip through the scheduler)
  if (encoded instanceof Uint8Array) return Effect.succeed(respond(encoded))
  const pending = encoded ?? compressOnce(body, coding, level)
  return Effect.map(Effect.promise(() => pending), respond)
}

/** One compression per body and coding, however many requests wait for it. */
const compressOnce = (body: Body, coding: Encoding, level: number): Promise<Uint8Array> => {
  const pending = compress(body.bytes, coding, level).then(
    (bytes) => {
      body.encoded.set(coding, bytes)
      return bytes
    },
    (cause: unknown) => {
      body.encoded.delete(coding)
      throw cause
    }
  )
  body.encoded.set(coding, pending)
  return pending
}
