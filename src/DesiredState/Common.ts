/** Checks every kind shares: names, duplicates, descriptions, categories. */
import type { Issue } from "../Domain/Desired.ts"
import { sortedSet } from "../Domain/Normalize.ts"
import { maxDescriptionLength } from "../Domain/Ownership.ts"
import { findUnsafe } from "../Domain/Text.ts"
import { type Located, report } from "./Items.ts"
import { ITEM_NAME } from "./Names.ts"
import { modelKind } from "./Schema.ts"

interface Described {
  readonly name: string
  readonly description?: string | undefined
  readonly categories?: ReadonlyArray<string> | undefined
}

/** Name format, description length (the ownership marker shares OPNsense's 255 characters), categories. */
export const checkCommon = (item: Located<Described>): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const { name, description, categories } = item.value
  if (!ITEM_NAME.test(name)) {
    issues.push(report(item, ["name"], {
      code: "invalid-name",
      message: `name "${name}" must be 1-64 characters of letters, digits and _ . : -`,
      hint: "the name is written into the firewall object's description marker; use e.g. iot-dns"
    }))
  }
  if (description !== undefined) {
    if (/[\r\n]/.test(description)) {
      issues.push(report(item, ["description"], {
        code: "description-newline",
        message: "description must be a single line",
        hint: "OPNsense refuses newlines in descriptions; use a YAML comment for longer notes"
      }))
    }
    const hidden = findUnsafe(description, ["\t", "\r", "\n"])
    if (hidden !== undefined) {
      issues.push(report(item, ["description"], {
        code: "description-control",
        message: `description contains a ${hidden.description}`,
        hint: "remove it: control characters and bidirectional-text controls make the GUI, logs and reviews show " +
          "something other than what is stored"
      }))
    }
    const max = maxDescriptionLength(name)
    if (description.length > max) {
      issues.push(report(item, ["description"], {
        code: "description-too-long",
        message: `description is ${description.length} characters; at most ${max} fit beside the ownership marker`,
        hint: `shorten it by ${description.length - max} characters`
      }))
    }
  }
  categories?.forEach((category, index) => {
    if (category.trim() === "" || category.includes(",")) {
      issues.push(report(item, ["categories", index], {
        code: "invalid-value",
        message: `category "${category}" must be a non-empty name without commas`,
        hint: "write one category name per list entry"
      }))
    }
  })
  return issues
}

export const canonicalCategories = (categories: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  sortedSet(categories ?? [])

/** Every name after the first of a kind is a duplicate; points back at the first. */
export const checkDuplicates = (items: ReadonlyArray<Located<{ readonly name: string }>>): ReadonlyArray<Issue> => {
  const seen = new Map<string, Located<{ readonly name: string }>>()
  const issues: Array<Issue> = []
  for (const item of items) {
    const first = seen.get(item.name)
    if (first === undefined) {
      seen.set(item.name, item)
      continue
    }
    issues.push(report(item, ["name"], {
      code: "duplicate-name",
      message: `${
        modelKind[item.kind]
      } "${item.name}" is already defined at ${first.source.file}:${first.source.line}:${first.source.column}`,
      hint: "names are the key a change is tracked by: rename one of them or merge the two"
    }))
  }
  return issues
}
