/**
 * Credentials in a request URL (`/api/rules?access_token=…`, a token pasted into the path) are
 * replaced with REDACTED where the request enters the server, before routing, the server span
 * (`url.full`, `url.query`, the span name) and the logs see it. No route takes a credential from the
 * URL (tokens travel in `Authorization`), so nothing a route reads is lost.
 *
 * Two rules, because a name alone misses `?q=<the admin token>` and a value list alone misses a
 * credential we were never told about:
 *   - by name: the value of any query parameter whose name looks like a credential;
 *   - by value: any occurrence of a configured secret (MCP_AUTH_TOKEN, ADMIN_TOKEN, METRICS_TOKEN,
 *     OPNSENSE_API_KEY, OPNSENSE_API_SECRET), raw or percent-encoded, anywhere in the URL.
 */
import * as Redacted from "effect/Redacted"

export const REDACTED = "REDACTED"

/** Query parameter names that carry credentials (access_token, api_key, X-Amz-Signature, password, code, …). */
export const secretName = /token|secret|passw|pwd|auth|signature|^sig$|key|code|credential|session|cookie/i

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

/** A scrubber for request URLs (path and query, as node hands them over). */
export const makeScrubber = (secrets: ReadonlyArray<Redacted.Redacted<string>>): (url: string) => string => {
  // short values would match by accident; every configured token is far longer
  const values = secrets.map(Redacted.value).filter((v) => v.length >= 8)
  const forms = [...new Set(values.flatMap((v) => [v, encodeURIComponent(v)]))]
  const known = new Set(values)
  return (url) => {
    let scrubbed = url
    for (const form of forms) scrubbed = scrubbed.split(form).join(REDACTED)
    const q = scrubbed.indexOf("?")
    if (q < 0) return scrubbed
    const hash = scrubbed.indexOf("#", q)
    const end = hash < 0 ? scrubbed.length : hash
    const query = scrubbed.slice(q + 1, end).split("&").map((pair) => {
      const eq = pair.indexOf("=")
      if (eq < 0) return pair
      const name = decode(pair.slice(0, eq))
      const value = pair.slice(eq + 1)
      return secretName.test(name) || known.has(decode(value)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
    }).join("&")
    return `${scrubbed.slice(0, q + 1)}${query}${scrubbed.slice(end)}`
  }
}
