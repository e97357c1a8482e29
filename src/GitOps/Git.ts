/**
 * The `git` command line, run safely: `execFile` with an argument array (never a shell), a fixed
 * environment (no prompts, no pager, C locale, no global or system config that could run hooks or
 * helpers), a timeout, and a bounded output buffer.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"

export class GitError extends Data.TaggedError("GitError")<{
  readonly message: string
  readonly args: ReadonlyArray<string>
  readonly exitCode?: number | undefined
  readonly stderr?: string | undefined
}> {}

export interface GitIdentity {
  readonly name: string
  readonly email: string
}

export interface RunOptions {
  readonly cwd: string
  readonly identity?: GitIdentity | undefined
  /** bytes written to git's stdin (e.g. `hash-object --stdin`) */
  readonly input?: string | undefined
  /** extra environment, e.g. GIT_INDEX_FILE */
  readonly env?: Readonly<Record<string, string>> | undefined
  readonly timeoutMs?: number | undefined
}

const baseEnv = (options: RunOptions): NodeJS.ProcessEnv => ({
  PATH: process.env["PATH"] ?? "/usr/bin:/bin",
  HOME: process.env["HOME"] ?? "/nonexistent",
  LC_ALL: "C",
  GIT_TERMINAL_PROMPT: "0",
  GIT_PAGER: "cat",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_OPTIONAL_LOCKS: "0",
  ...(options.identity === undefined ? {} : {
    GIT_AUTHOR_NAME: options.identity.name,
    GIT_AUTHOR_EMAIL: options.identity.email,
    GIT_COMMITTER_NAME: options.identity.name,
    GIT_COMMITTER_EMAIL: options.identity.email
  }),
  ...options.env
})

/** Run `git <args>` in `cwd`; stdout on success, GitError (with git's own stderr) on failure. */
export const runGit = (args: ReadonlyArray<string>, options: RunOptions): Effect.Effect<string, GitError> =>
  Effect.callback<string, GitError>((resume, signal) => {
    const child = execFile(
      "git",
      [...args],
      {
        cwd: options.cwd,
        env: baseEnv(options),
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        signal,
        windowsHide: true
      },
      (error, stdout, stderr) => {
        if (error === null) return resume(Effect.succeed(stdout))
        const exitCode = typeof error.code === "number" ? error.code : undefined
        const detail = stderr.trim() === "" ? error.message : stderr.trim()
        resume(Effect.fail(new GitError({ message: `git ${args[0] ?? ""} failed: ${detail}`, args, exitCode, stderr })))
      }
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
    else child.stdin?.end()
  })
