/** An item of a desired-state file together with where it is, so every problem points at its YAML line. */
import type { Issue } from "../Domain/Desired.ts"
import type { SourceRef } from "../Domain/Plan.ts"
import { type IssueInput, makeIssue } from "./Issues.ts"
import { locate, type YamlFile } from "./Yaml.ts"

export interface Located<A> {
  readonly value: A
  readonly name: string
  /** the item's top-level key ("rules") */
  readonly kind: string
  /** the kind's name ("rule") */
  readonly model: string
  readonly file: YamlFile
  /** path of the item inside its file: [kind, index] */
  readonly path: readonly [string, number]
  readonly source: SourceRef
}

/** Report a problem inside an item, at the given sub-path (the closest existing node is used). */
export const report = (
  item: Located<unknown>,
  subPath: ReadonlyArray<PropertyKey>,
  input: IssueInput,
  target: "value" | "key" = "value"
): Issue =>
  makeIssue(item.file.path, locate(item.file, [...item.path, ...subPath], target), {
    name: item.name,
    kind: item.model,
    ...input
  })
