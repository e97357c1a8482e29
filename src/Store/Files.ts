/**
 * File primitives for DATA_DIR: atomic replace (temp file, fsync, rename, fsync of the directory)
 * and durable append. A reader never sees a half-written state.json, even after a crash or a kill.
 */
import * as Effect from "effect/Effect"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { StoreError } from "../Reconciler/Errors.ts"

/** The `code` of a Node system error (ENOENT, EEXIST, ...). */
export const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? cause.code
    : undefined

const fail = (what: string, file: string) => (cause: unknown) =>
  new StoreError({
    message: `${what} ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
    path: file,
    cause
  })

const fsyncDir = async (dir: string) => {
  const handle = await fs.open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Write `content` through a fresh handle (mode 0600 when it creates the file) and fsync it before closing. */
export const writeSynced = async (file: string, flags: string, content: string) => {
  const handle = await fs.open(file, flags, 0o600)
  try {
    await handle.writeFile(content, "utf8")
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export const writeAtomic = (file: string, content: string): Effect.Effect<void, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      const dir = path.dirname(file)
      await fs.mkdir(dir, { recursive: true })
      const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`)
      await writeSynced(temp, "wx", content)
      try {
        await fs.rename(temp, file)
      } catch (error) {
        await fs.rm(temp, { force: true })
        throw error
      }
      await fsyncDir(dir)
    },
    catch: fail("cannot write", file)
  })

/** Move `file` to `to` (same folder), e.g. to keep an unreadable file before it is replaced. */
export const renameAside = (file: string, to: string): Effect.Effect<void, StoreError> =>
  Effect.tryPromise({ try: () => fs.rename(file, to), catch: fail("cannot move aside", file) })

/** Whether a path exists (a file or a folder). */
export const exists = (file: string): Effect.Effect<boolean, StoreError> =>
  Effect.tryPromise({
    try: () =>
      fs.stat(file).then(
        () => true,
        (error: unknown) => (errorCode(error) === "ENOENT" ? false : Promise.reject(error))
      ),
    catch: fail("cannot read", file)
  })

export const appendDurable = (file: string, line: string): Effect.Effect<void, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      await fs.mkdir(path.dirname(file), { recursive: true })
      await writeSynced(file, "a", line)
    },
    catch: fail("cannot append to", file)
  })

/** The file's text, or undefined when it does not exist. */
export const readIfExists = (file: string): Effect.Effect<string | undefined, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      try {
        return await fs.readFile(file, "utf8")
      } catch (error) {
        if (errorCode(error) === "ENOENT") return undefined
        throw error
      }
    },
    catch: fail("cannot read", file)
  })

export const listDir = (dir: string): Effect.Effect<ReadonlyArray<string>, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      try {
        return await fs.readdir(dir)
      } catch (error) {
        if (errorCode(error) === "ENOENT") return []
        throw error
      }
    },
    catch: fail("cannot list", dir)
  })
