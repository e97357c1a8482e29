/**
 * A self-signed certificate authority and a server certificate for 127.0.0.1 / localhost, built in
 * pure Node (no openssl binary): node:crypto makes the keys and signs, and this file writes the few
 * DER structures an X.509 v3 certificate needs. A real OPNsense box also starts with a self-signed
 * certificate, so clients must be given the CA PEM or run insecure.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto"

export interface GeneratedCert {
  /** PEM of the CA certificate: what a client trusts. */
  readonly caPem: string
  /** PEM of the server certificate, signed by the CA. */
  readonly certPem: string
  /** PEM (PKCS#8) of the server key. */
  readonly keyPem: string
}

// --- minimal DER writer -------------------------------------------------------------------------

const length = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n])
  const bytes: Array<number> = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content])
const seq = (...parts: ReadonlyArray<Buffer>) => tlv(0x30, Buffer.concat(parts))
const set = (...parts: ReadonlyArray<Buffer>) => tlv(0x31, Buffer.concat(parts))
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content)
const integer = (bytes: Buffer): Buffer => {
  const first = bytes[0] ?? 0
  return tlv(0x02, first & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
}
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const octets = (b: Buffer) => tlv(0x04, b)
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]))
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"))
const oid = (dotted: string): Buffer => {
  const arcs = dotted.split(".").map(Number)
  const out: Array<number> = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)]
  for (const arc of arcs.slice(2)) {
    const chunk: Array<number> = [arc & 0x7f]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80)
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}
const time = (d: Date): Buffer => {
  const p = (n: number) => String(n).padStart(2, "0")
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${
    p(d.getUTCSeconds())
  }Z`
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${p(d.getUTCFullYear() % 100)}${body}`))
    : tlv(0x18, Buffer.from(`${d.getUTCFullYear()}${body}`))
}

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  subjectAltName: "2.5.29.17",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35"
} as const

const name = (cn: string) =>
  seq(
    set(seq(oid(OID.organization), utf8("OPNsense self-signed web certificate"))),
    set(seq(oid(OID.commonName), utf8(cn)))
  )
const extension = (id: string, critical: boolean, value: Buffer) =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value))

const serial = (): Buffer => {
  const b = randomBytes(16)
  b[0] = ((b[0] ?? 1) & 0x7f) | 0x01
  return b
}
const spki = (key: KeyObject): Buffer => key.export({ type: "spki", format: "der" })
const keyId = (key: KeyObject): Buffer => createHash("sha1").update(spki(key)).digest()

const certificate = (options: {
  subject: string
  issuer: string
  publicKey: KeyObject
  signer: KeyObject
  extensions: ReadonlyArray<Buffer>
  days: number
}): Buffer => {
  const now = Date.now()
  const algorithm = seq(oid(OID.ecdsaWithSha256))
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial()),
    algorithm,
    name(options.issuer),
    seq(time(new Date(now - 86_400_000)), time(new Date(now + options.days * 86_400_000))),
    name(options.subject),
    spki(options.publicKey),
    explicit(3, seq(...options.extensions))
  )
  return seq(tbs, algorithm, bits(sign("sha256", tbs, options.signer)))
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`

/**
 * A fresh CA and a server certificate whose SAN covers localhost, 127.0.0.1 and ::1, valid for
 * `days` (default 397, what OPNsense gives its self-signed web GUI certificate: `-days 397`,
 * opnsense/core 26.7.2: src/etc/inc/plugins.inc.d/webgui.inc); a small number lets tests see a
 * certificate about to expire.
 */
export const generateCertificate = (hostname = "OPNsense.localdomain", days = 397): GeneratedCert => {
  const ca = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const server = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const caName = `opnsense-mcp sandbox CA (${hostname})`
  const caDer = certificate({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    days: 397,
    extensions: [
      extension(OID.basicConstraints, true, seq(bool(true))),
      // keyCertSign + cRLSign
      extension(OID.keyUsage, true, bits(Buffer.from([0x06]), 1)),
      extension(OID.subjectKeyId, false, octets(keyId(ca.publicKey)))
    ]
  })
  const san = seq(
    tlv(0x82, Buffer.from("localhost")),
    tlv(0x82, Buffer.from(hostname)),
    tlv(0x87, Buffer.from([127, 0, 0, 1])),
    tlv(0x87, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
  )
  const serverDer = certificate({
    subject: hostname,
    issuer: caName,
    publicKey: server.publicKey,
    signer: ca.privateKey,
    days,
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      // digitalSignature
      extension(OID.keyUsage, true, bits(Buffer.from([0x80]), 7)),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, san),
      extension(OID.authorityKeyId, false, seq(tlv(0x80, keyId(ca.publicKey))))
    ]
  })
  return {
    caPem: pem("CERTIFICATE", caDer),
    certPem: pem("CERTIFICATE", serverDer),
    keyPem: server.privateKey.export({ type: "pkcs8", format: "pem" }).toString()
  }
}
