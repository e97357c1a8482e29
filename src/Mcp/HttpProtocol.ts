/**
 * One rule for the protocol revision of an HTTP request to /mcp, applied before the SDK's handler,
 * whose own answers differ by case (a request without MCP-Protocol-Version was served although an
 * explicit 2025-03-26 was refused; a malformed header was reported as "missing _meta"; a batch
 * holding one initialize was served):
 *
 * - initialize negotiates the revision and needs no header;
 * - a 2026-07-28 request carries its revision in the `_meta` envelope, which the SDK checks;
 * - any other request without MCP-Protocol-Version is taken as 2025-03-26, as the 2025-11-25
 *   revision says a server must, and refused because this server does not serve 2025-03-26;
 * - a header that is not a revision (YYYY-MM-DD) is refused as such;
 * - a JSON-RPC batch is refused: MCP has no batches since 2025-06-18.
 */
import { PROTOCOL_VERSION_META_KEY } from "@modelcontextprotocol/server"

const REVISION = /^\d{4}-\d{2}-\d{2}$/

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const refuse = (status: number, code: number, message: string, id: unknown = null): Response =>
  Response.json(
    { jsonrpc: "2.0", error: { code, message }, id: typeof id === "string" || typeof id === "number" ? id : null },
    { status }
  )

/**
 * The refusal for `body` (already parsed; undefined when it could not be) with `header` (the
 * MCP-Protocol-Version value, if any), or undefined when the SDK may take the request.
 */
export const checkRevision = (
  header: string | null,
  body: unknown,
  served: ReadonlyArray<string>
): Response | undefined => {
  const list = served.join(", ")
  if (header !== null && !REVISION.test(header.trim())) {
    return refuse(
      400,
      -32000,
      `Bad Request: MCP-Protocol-Version "${header}" is not a protocol revision (YYYY-MM-DD); this server serves ${list}`
    )
  }
  if (Array.isArray(body)) {
    return refuse(
      400,
      -32600,
      "Invalid Request: JSON-RPC batches are not part of MCP since 2025-06-18; send each message, initialize too, " +
        "in a request of its own"
    )
  }
  if (header !== null || !isRecord(body)) return undefined
  if (body["method"] === "initialize") return undefined
  const params = body["params"]
  const meta = isRecord(params) ? params["_meta"] : undefined
  if (isRecord(meta) && PROTOCOL_VERSION_META_KEY in meta) return undefined
  return refuse(
    400,
    -32000,
    "Bad Request: no MCP-Protocol-Version header, so the request is taken as revision 2025-03-26, which this " +
      `server does not serve (it serves ${list}); send the header with the revision negotiated at initialize`,
    body["id"]
  )
}

/** Read a POST body's JSON for `checkRevision` (up to `limit` bytes; larger bodies are the SDK's to refuse). */
export const peekJson = async (request: Request, limit: number): Promise<unknown> => {
  const length = Number(request.headers.get("content-length") ?? Number.NaN)
  if (request.method !== "POST" || !Number.isFinite(length) || length > limit) return undefined
  try {
    return JSON.parse(await request.clone().text())
  } catch {
    return undefined
  }
}
