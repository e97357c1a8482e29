/**
 * Reading the desired-state tree from disk, defensively: only regular files, never through a
 * symlink that leaves the tree, never a file over the size cap (a FIFO named x.yaml would hang a
 * naive reader), strict UTF-8. Every refusal is an Issue; nothing here fails or throws.
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as NodePath from "node:path"
import type { Issue, SiteConfig } from "../Domain/Desired.ts"
import { makeIssue, suggestion } from "./Issues.ts"
import type { SourceFile } from "./Load.ts"
import { defaultSite, parseSites, SITES_FILE } from "./Sites.ts"
import { decodeUtf8, type Limits } from "./Yaml.ts"

export interface SiteSources {
  readonly config: SiteConfig
  readonly files: ReadonlyArray<SourceFile>
}

export interface TreeSources {
  readonly sites: ReadonlyArray<SiteSources>
  /** sites.yaml, when present and readable */
  readonly sitesFile?: SourceFile | undefined
  readonly issues: ReadonlyArray<Issue>
}

const top = { line: 1, column: 1 }
/** Hidden files (`.pre-commit-config.yaml`, `.gitlab-ci.yml` when the tree is a repository root) are tooling, not desired state. */
const isYaml = (name: string) => !name.startsWith(".") && /\.ya?ml$/i.test(name)
const inside = (root: string, path: string) => path === root || path.startsWith(root + NodePath.sep)

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

export const readTree = Effect.fn("DesiredState.readTree")(function*(
  fs: FileSystem.FileSystem,
  dir: string,
  site: string | undefined,
  limits: Limits
) {
  const issues: Array<Issue> = []
  const rootReal = yield* fs.realPath(dir).pipe(Effect.option)
  if (rootReal._tag === "None") {
    return {
      sites: [],
      issues: [makeIssue(".", top, {
        code: "dir-not-found",
        message: `desired-state directory "${dir}" does not exist`,
        hint: "pass --dir, set DESIRED_STATE_DIR, or create the directory"
      })]
    }
  }
  const root = rootReal.value

  /** Read one file as text, or an Issue saying why not. */
  const readText = (display: string, absolute: string) =>
    Effect.gen(function*() {
      const refuse = (code: string, message: string, hint: string) => {
        issues.push(makeIssue(display, top, { code, message, hint }))
        return undefined
      }
      const link = yield* fs.lstat(absolute).pipe(Effect.result)
      if (link._tag === "Failure") {
        return refuse("file-unreadable", describe(link.failure), "check the file's permissions")
      }
      if (link.success.type === "SymbolicLink") {
        const target = yield* fs.realPath(absolute).pipe(Effect.option)
        if (target._tag === "None" || !inside(root, target.value)) {
          return refuse(
            "symlink-escape",
            "symbolic link points outside the desired-state directory",
            "replace the link with the file itself"
          )
        }
      }
      const info = yield* fs.stat(absolute).pipe(Effect.result)
      if (info._tag === "Failure") {
        return refuse("file-unreadable", describe(info.failure), "check the file's permissions")
      }
      if (info.success.type !== "File") {
        return refuse(
          "file-not-regular",
          `not a regular file (${info.success.type})`,
          "remove it from the desired-state directory"
        )
      }
      if (Number(info.success.size) > limits.maxFileBytes) {
        return refuse(
          "file-too-large",
          `file is ${Number(info.success.size)} bytes, more than the limit of ${limits.maxFileBytes}`,
          "split it into several files"
        )
      }
      const bytes = yield* fs.readFile(absolute).pipe(Effect.result)
      if (bytes._tag === "Failure") {
        return refuse("file-unreadable", describe(bytes.failure), "check the file's permissions")
      }
      if (bytes.success.byteLength > limits.maxFileBytes) {
        return refuse(
          "file-too-large",
          `file is larger than the limit of ${limits.maxFileBytes} bytes`,
          "split it into several files"
        )
      }
      const decoded = decodeUtf8(display, bytes.success)
      if (decoded.issue !== undefined) {
        issues.push(decoded.issue)
      }
      return decoded.text
    })

  // Sites: sites.yaml when present, else the one default site at the root.
  let configs: ReadonlyArray<SiteConfig> = [defaultSite]
  let sitesFile: SourceFile | undefined
  const sitesPath = NodePath.join(root, SITES_FILE)
  const hasSites = yield* fs.exists(sitesPath).pipe(Effect.orElseSucceed(() => false))
  if (hasSites) {
    const text = yield* readText(SITES_FILE, sitesPath)
    if (text !== undefined) sitesFile = { path: SITES_FILE, text }
    const parsed = text === undefined ? { sites: [], issues: [] } : parseSites(text, limits)
    issues.push(...parsed.issues)
    configs = parsed.sites
  }
  if (site !== undefined) {
    const chosen = configs.filter((c) => c.name === site)
    if (chosen.length === 0 && (configs.length > 0 || !hasSites)) {
      issues.push(makeIssue(hasSites ? SITES_FILE : dir, top, {
        code: "unknown-site",
        message: `no site named "${site}"`,
        hint: suggestion(site, configs.map((c) => c.name)) ?? `sites: ${configs.map((c) => c.name).join(", ")}`
      }))
    }
    configs = chosen
  }

  const sites: Array<SiteSources> = []
  for (const config of configs) {
    const folder = NodePath.join(root, config.path)
    const folderReal = yield* fs.realPath(folder).pipe(Effect.option)
    if (folderReal._tag === "None" || !inside(root, folderReal.value)) {
      issues.push(makeIssue(hasSites ? SITES_FILE : dir, top, {
        code: folderReal._tag === "None" ? "dir-not-found" : "symlink-escape",
        name: config.name,
        message: folderReal._tag === "None"
          ? `folder "${config.path}" of site "${config.name}" does not exist`
          : `folder "${config.path}" of site "${config.name}" leaves the desired-state directory`,
        hint: "create the folder inside the desired-state directory, or fix the site's path"
      }))
      continue
    }
    const names = yield* fs.readDirectory(folder).pipe(Effect.orElseSucceed((): Array<string> => []))
    const yamlNames = names.filter((n) => isYaml(n) && !(config.path === "." && n === SITES_FILE)).sort()
    if (yamlNames.length > limits.maxFiles) {
      issues.push(makeIssue(config.path, top, {
        code: "too-many-files",
        name: config.name,
        message: `${yamlNames.length} YAML files, more than the limit of ${limits.maxFiles}`,
        hint: "merge files"
      }))
      continue
    }
    const files: Array<SourceFile> = []
    for (const name of yamlNames) {
      const display = config.path === "." ? name : `${config.path}/${name}`
      const text = yield* readText(display, NodePath.join(folder, name))
      if (text !== undefined) files.push({ path: display, text })
    }
    sites.push({ config, files })
  }

  if (hasSites && site === undefined && !configs.some((c) => c.path === ".")) {
    const stray = (yield* fs.readDirectory(root).pipe(Effect.orElseSucceed((): Array<string> => [])))
      .filter((n) => isYaml(n) && n !== SITES_FILE)
      .sort()
    for (const name of stray) {
      issues.push(makeIssue(name, top, {
        severity: "warning",
        code: "file-outside-site",
        message: "this file is in no site's folder and is ignored",
        hint: "move it into a site folder listed in sites.yaml"
      }))
    }
  }
  return { sites, sitesFile, issues } satisfies TreeSources
})
