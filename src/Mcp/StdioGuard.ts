/**
 * What the SDK's stdio transport does not answer, answered here, line by line, before the SDK sees
 * the line (it only reports these on stderr, so a client waiting on that id would hang):
 *
 * - a line that is not JSON: `-32700` Parse error, id null;
 * - a batch (array), a non-object, or an object without `"jsonrpc": "2.0"`: `-32600` Invalid
 *   Request, with the id when it can be read, else null;
 * - a request whose per-request envelope (`_meta` "io.modelcontextprotocol/protocolVersion", the
 *   2026-07-28 revision) claims a revision this server does not serve: the SDK checks the claim of
 *   the opening request only, then serves every later one; each is accepted or rejected on its own
 *   here, with the SDK's own UnsupportedProtocolVersionError.
 *
 * Everything else passes through unchanged, in order.
 */
import { PROTOCOL_VERSION_META_KEY, UnsupportedProtocolVersionError } from "@modelcontextprotocol/server"
import { createInterface } from "node:readline"
import { PassThrough, type Readable } from "node:stream"

export type LineVerdict =
  | { readonly _tag: "Pass" }
  | { readonly _tag: "Answer"; readonly reply: Record<string, unknown> }

const pass: LineVerdict = { _tag: "Pass" }

const error = (id: unknown, code: number, message: string, data?: unknown): LineVerdict => ({
  _tag: "Answer",
  reply: {
    jsonrpc: "2.0",
    id: typeof id === "string" || typeof id === "number" ? id : null,
    error: { code, message, ...(data === undefined ? {} : { data }) }
  }
})

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** `modern`: the per-request-envelope revisions this server serves (2026-07-28 and later). */
export const checkLine = (line: string, modern: ReadonlyArray<string>): LineVerdict => {
  if (line.trim() === "") return pass
  let message: unknown
  try {
    message = JSON.parse(line)
  } catch {
    return error(null, -32700, "Parse error: the line is not JSON (one JSON-RPC message per line)")
  }
  if (Array.isArray(message)) {
    return error(null, -32600, "Invalid Request: JSON-RPC batches are not part of MCP; send one message per line")
  }
  if (!isRecord(message)) return error(null, -32600, "Invalid Request: a JSON-RPC message is an object")
  if (message["jsonrpc"] !== "2.0") {
    return error(message["id"], -32600, "Invalid Request: \"jsonrpc\" must be \"2.0\"")
  }
  const params = message["params"]
  const meta = isRecord(params) ? params["_meta"] : undefined
  const claimed = isRecord(meta) ? meta[PROTOCOL_VERSION_META_KEY] : undefined
  const isRequest = typeof message["method"] === "string" && "id" in message
  if (isRequest && typeof claimed === "string" && !modern.includes(claimed)) {
    const e = new UnsupportedProtocolVersionError({ supported: [...modern], requested: claimed })
    return error(message["id"], e.code, e.message, e.data)
  }
  return pass
}

/**
 * The lines of `input` that pass, as a stream for the SDK's transport; `answer` gets the reply of
 * every line that does not (to be written to stdout as one line).
 */
export const guardLines = (
  input: Readable,
  modern: ReadonlyArray<string>,
  answer: (reply: Record<string, unknown>) => void
): Readable => {
  const output = new PassThrough()
  const lines = createInterface({ input, crlfDelay: Infinity })
  lines.on("line", (line) => {
    const verdict = checkLine(line, modern)
    if (verdict._tag === "Pass") output.write(`${line}\n`)
    else answer(verdict.reply)
  })
  lines.on("close", () => output.end())
  return output
}
