/**
 * When does a firewall's TLS certificate expire? One TLS handshake with the site's web GUI, no HTTP
 * request: the peer certificate's notAfter is all that is read. Verification is off for this
 * handshake on purpose: an expired or untrusted certificate must still be measured (the API client
 * itself keeps verifying), and nothing is sent over the connection.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

// lazily, like the HTTP client: node:tls is only needed when a health check runs
const tls = process.getBuiltinModule("node:tls")
const net = process.getBuiltinModule("node:net")

/** A certificate that expires sooner than this is a warning in /health and in morning-check.sh. */
export const WARNING_DAYS = 30

export interface CertificateCheck {
  /** ISO time of the certificate's notAfter */
  readonly notAfter: string
  /** whole days until notAfter (negative once expired) */
  readonly daysLeft: number
  readonly status: "ok" | "warning" | "expired"
}

export interface CertificateError {
  readonly _tag: "CertificateError"
  readonly message: string
}

const failure = (message: string): CertificateError => ({ _tag: "CertificateError", message })

/** notAfter of the certificate `url` presents; undefined for a plain http:// URL (no certificate). */
export const peerCertificateExpiry = (
  url: string,
  timeoutMs: number
): Effect.Effect<Date | undefined, CertificateError> => {
  const parsed = new URL(url)
  if (parsed.protocol !== "https:") return Effect.succeed(undefined)
  const host = parsed.hostname.replace(/^\[|\]$/g, "")
  const port = parsed.port === "" ? 443 : Number(parsed.port)
  return Effect.callback<Date, CertificateError>((resume) => {
    const socket = tls.connect({
      host,
      port,
      // SNI only takes a host name, never an address
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: false
    })
    socket.once("secureConnect", () => {
      const cert = socket.getPeerX509Certificate()
      socket.destroy()
      resume(
        cert === undefined
          ? Effect.fail(failure(`${parsed.origin} presented no certificate`))
          : Effect.succeed(cert.validToDate)
      )
    })
    socket.once("error", (error) => {
      socket.destroy()
      resume(Effect.fail(failure(`TLS handshake with ${parsed.origin} failed: ${error.message}`)))
    })
    return Effect.sync(() => socket.destroy())
  }).pipe(
    Effect.timeoutOrElse({
      duration: Duration.millis(timeoutMs),
      orElse: () => Effect.fail(failure(`no TLS handshake with ${parsed.origin} within ${timeoutMs} ms`))
    })
  )
}

export const describeExpiry = (notAfter: Date, nowMs: number): CertificateCheck => {
  const daysLeft = Math.floor((notAfter.getTime() - nowMs) / 86_400_000)
  return {
    notAfter: notAfter.toISOString(),
    daysLeft,
    status: notAfter.getTime() <= nowMs ? "expired" : daysLeft < WARNING_DAYS ? "warning" : "ok"
  }
}
