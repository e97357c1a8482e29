/**
 * Logs (issue #9): one structured JSON line per entry in LOG_DIR/app.log, errors also
 * in error.log, one line per HTTP request in access.log, and a readable line on stderr (pretty on
 * a TTY, JSON otherwise). stdout is never written: it belongs to `--json` output and to MCP over
 * stdio.
 *
 * LOG_LEVEL sets the threshold (default info). DEBUG=opnsense:* (debug-package syntax: commas or
 * spaces, `*` wildcards, `-` to exclude) turns on debug entries for the matching areas only; an
 * area is a log annotation set with `Logging.area("opnsense:client")`.
 *
 * Files are bounded: each rotates to `.1` … `.N` at LOG_MAX_BYTES (default 50 MiB, 5 files).
 * LOG_MAX_BYTES=0 leaves rotation to logrotate (deploy/logrotate.conf, copytruncate), which is the
 * right choice when several processes share one LOG_DIR (pm2 cluster).
 */
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import * as fs from "node:fs"
import * as path from "node:path"
import { isSecretKey } from "./Telemetry.ts"

export interface LoggingConfig {
  readonly level: LogLevel.LogLevel
  readonly debug: string
  readonly dir: string
  readonly maxBytes: number
  readonly maxFiles: number
  /** write app.log / error.log / access.log (serve); CLI commands log to stderr only */
  readonly files: boolean
  readonly pretty: boolean
}

const levelConfig = Config.String("LOG_LEVEL").pipe(
  Config.withDefault("info"),
  Config.map((raw) => {
    const wanted = raw.trim().toLowerCase()
    return LogLevel.values.find((l) => l.toLowerCase() === wanted || (wanted === "warning" && l === "Warn")) ?? "Info"
  })
)

export const config = (options: { readonly files: boolean }): Config.Config<LoggingConfig> =>
  Config.all({
    level: levelConfig,
    debug: Config.String("DEBUG").pipe(Config.withDefault("")),
    dir: Config.String("LOG_DIR").pipe(Config.withDefault("./logs")),
    maxBytes: Config.Int("LOG_MAX_BYTES").pipe(Config.withDefault(50 * 1024 * 1024)),
    maxFiles: Config.Int("LOG_MAX_FILES").pipe(Config.withDefault(5)),
    files: Config.succeed(options.files),
    pretty: Config.succeed(process.stderr.isTTY === true)
  })

// ---------------------------------------------------------------------------------------------
// DEBUG namespaces

/** debug-package matching: "opnsense:*,-opnsense:cache" */
export const debugMatcher = (spec: string): (area: string) => boolean => {
  const parts = spec.split(/[\s,]+/).filter((p) => p.length > 0)
  const toRegex = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*?")}$`)
  const include = parts.filter((p) => !p.startsWith("-")).map(toRegex)
  const exclude = parts.filter((p) => p.startsWith("-")).map((p) => toRegex(p.slice(1)))
  return (area) => !exclude.some((r) => r.test(area)) && include.some((r) => r.test(area))
}

/** Tag the logs of an effect with an area, so DEBUG=<area> can switch its debug entries on. */
export const area = (name: string) => Effect.annotateLogs("area", name)

// ---------------------------------------------------------------------------------------------
// Files

/**
 * An append-only line file, written once per event-loop turn (lines are batched), rotated by size.
 * Appends use O_APPEND, so several processes can share one file line-safely.
 */
export class LineFile {
  readonly file: string
  private readonly maxBytes: number
  private readonly maxFiles: number
  private fd: number
  private size: number
  private buffer: Array<string> = []
  private scheduled = false

  constructor(file: string, options: { readonly maxBytes: number; readonly maxFiles: number }) {
    this.file = file
    this.maxBytes = options.maxBytes
    this.maxFiles = options.maxFiles
    fs.mkdirSync(path.dirname(file), { recursive: true })
    this.fd = fs.openSync(file, "a", 0o640)
    this.size = fs.fstatSync(this.fd).size
  }

  write(line: string): void {
    this.buffer.push(line)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
  }

  flush(): void {
    this.scheduled = false
    if (this.buffer.length === 0) return
    const chunk = this.buffer.join("\n") + "\n"
    this.buffer = []
    try {
      fs.writeSync(this.fd, chunk)
      this.size += Buffer.byteLength(chunk)
      if (this.maxBytes > 0 && this.size >= this.maxBytes) this.rotate()
    } catch (error) {
      process.stderr.write(`logging: cannot write ${this.file}: ${String(error)}\n`)
    }
  }

  private rotate(): void {
    fs.closeSync(this.fd)
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      const from = `${this.file}.${i}`
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${i + 1}`)
    }
    if (this.maxFiles >= 1) fs.renameSync(this.file, `${this.file}.1`)
    else fs.truncateSync(this.file)
    const oldest = `${this.file}.${this.maxFiles + 1}`
    if (fs.existsSync(oldest)) fs.rmSync(oldest)
    this.fd = fs.openSync(this.file, "a", 0o640)
    this.size = 0
  }

  close(): void {
    this.flush()
    fs.closeSync(this.fd)
  }
}

const openFile = (file: string, c: LoggingConfig) =>
  Effect.acquireRelease(
    Effect.sync(() => new LineFile(file, { maxBytes: c.maxBytes, maxFiles: c.maxFiles })),
    (f) => Effect.sync(() => f.close())
  )

// ---------------------------------------------------------------------------------------------
// Access log

export interface AccessEntry {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly durationMs: number
  readonly requestId: string
  readonly remote?: string | undefined
  readonly traceId?: string | undefined
}

export class AccessLog extends Context.Service<AccessLog, { readonly write: (entry: AccessEntry) => void }>()(
  "opnsense-mcp/Logging/AccessLog"
) {}

export const accessLine = (entry: AccessEntry, time: Date): string =>
  JSON.stringify({ time: time.toISOString(), ...entry, durationMs: Math.round(entry.durationMs * 1000) / 1000 })

// ---------------------------------------------------------------------------------------------
// Entries

const plain = (value: unknown): unknown => {
  if (value instanceof Error) return value.message
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "object" && value !== null && "toJSON" in value && typeof value.toJSON === "function") {
    return value.toJSON()
  }
  return value
}

/** One log entry as a flat JSON object; annotations with secret-looking keys are masked. */
export const entry = (options: Logger.Options<unknown>): Record<string, unknown> => {
  const messages = Array.isArray(options.message) ? options.message : [options.message]
  const record: Record<string, unknown> = {
    time: options.date.toISOString(),
    level: options.logLevel.toLowerCase(),
    msg: messages.map((m) => (typeof m === "string" ? m : JSON.stringify(plain(m)))).join(" ")
  }
  for (const [key, value] of Object.entries(options.fiber.getRef(References.CurrentLogAnnotations))) {
    record[key] = isSecretKey(key) ? "<redacted>" : plain(value)
  }
  const span = Context.getOption(options.fiber.context, Tracer.ParentSpan)
  if (Option.isSome(span)) {
    record["traceId"] = span.value.traceId
    record["spanId"] = span.value.spanId
  }
  if (options.cause.reasons.length > 0) record["cause"] = Cause.pretty(options.cause)
  return record
}

const prettyLine = (record: Record<string, unknown>): string => {
  const { cause, level, msg, time, ...rest } = record
  const colour = level === "error" || level === "fatal" ? 31 : level === "warn" ? 33 : level === "debug" ? 90 : 36
  const extras = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")
  const head = `\x1b[2m${String(time).slice(11, 23)}\x1b[0m \x1b[${colour}m${
    String(level).toUpperCase().padEnd(5)
  }\x1b[0m ${String(msg)}`
  return `${head}${extras.length > 0 ? ` \x1b[2m${extras}\x1b[0m` : ""}${
    cause === undefined ? "" : `\n${String(cause)}`
  }`
}

const ordinal = (l: LogLevel.LogLevel) => LogLevel.getOrdinal(l)

/**
 * The decision for one entry: at or above LOG_LEVEL, or a debug/trace entry whose area DEBUG names.
 * (Effect's ordinals grow with severity: Trace < Debug < Info < Warn < Error < Fatal.)
 */
export const enabled = (c: Pick<LoggingConfig, "level" | "debug">) => {
  const matches = c.debug.length > 0 ? debugMatcher(c.debug) : undefined
  const threshold = ordinal(c.level)
  return (level: LogLevel.LogLevel, areaName: unknown): boolean =>
    ordinal(level) >= threshold ||
    (matches !== undefined && typeof areaName === "string" && matches(areaName))
}

/** Loggers for a configuration; the layer replaces Effect's default console logger. */
export const layerFrom = (c: LoggingConfig): Layer.Layer<AccessLog> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const isEnabled = enabled(c)
      const app = c.files ? yield* openFile(path.join(c.dir, "app.log"), c) : undefined
      const errors = c.files ? yield* openFile(path.join(c.dir, "error.log"), c) : undefined
      const access = c.files ? yield* openFile(path.join(c.dir, "access.log"), c) : undefined
      const logger = Logger.make((options) => {
        const areaName = options.fiber.getRef(References.CurrentLogAnnotations)["area"]
        if (!isEnabled(options.logLevel, areaName)) return
        const record = entry(options)
        const line = JSON.stringify(record)
        app?.write(line)
        if (errors !== undefined && ordinal(options.logLevel) >= ordinal("Error")) errors.write(line)
        process.stderr.write(`${c.pretty ? prettyLine(record) : line}\n`)
      })
      // let debug entries reach the logger when DEBUG names any area; the logger filters per area
      const minimum: LogLevel.LogLevel = c.debug.length > 0 && ordinal(c.level) > ordinal("Debug") ? "Debug" : c.level
      return Layer.mergeAll(
        Logger.layer([logger]),
        Layer.succeed(References.MinimumLogLevel, minimum),
        Layer.succeed(AccessLog, { write: (e) => access?.write(accessLine(e, new Date())) })
      )
    })
  )

export const layer = (options: { readonly files: boolean }): Layer.Layer<AccessLog, Config.ConfigError> =>
  Layer.unwrap(Effect.map(config(options), layerFrom))
