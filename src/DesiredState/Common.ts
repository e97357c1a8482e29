/** Checks every kind shares: names, duplicates, descriptions, categories. */
import type { Issue } from "../Domain/Desired.ts"
import { sortedSet } from "../Domain/Normalize.ts"
import { maxDescriptionLength } from "../Domain/Ownership.ts"
import { findUnsafe } from "../Domain/Text.ts"
import { type Located, report } from "./Located.ts"
import { ITEM_NAME } from "./Names.ts"

interface Described {
  readonly name: string
  readonly description?: string | undefined
  readonly categories?: ReadonlyArray<string> | undefined
}

/** Name format, description length (the ownership marker shares OPNsense's 255 bytes), categories. */
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
    // opnsense/core 26.1.11, 26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/TextField.php
    // refuses "\n\r" ("Text may not contain newlines.") and "\0\v\f" in a DescriptionField
    if (/[\r\n]/.test(description)) {
      issues.push(report(item, ["description"], {
        code: "description-newline",
        message: "description must be a single line",
        hint: "OPNsense refuses newlines in descriptions; use a YAML comment for longer notes"
      }))
    } else if (/[\0\v\f]/.test(description)) {
      issues.push(report(item, ["description"], {
        code: "description-newline",
        message: "description must not contain NUL, vertical tab or form feed",
        hint: "OPNsense 26.1.11 and later refuse these control characters; remove them"
      }))
    }
    // opnsense/core 24.7-26.7.2: src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/DescriptionField.php
    // checks `/^(.){1,255}$/` without the u flag: 255 bytes of UTF-8, not characters
    const hidden = findUnsafe(description, ["\t", "\r", "\n", "\0", "\v", "\f"]) // those have their own message above
    if (hidden !== undefined) {
      issues.push(report(item, ["description"], {
        code: "description-control",
        message: `description contains a ${hidden.description}`,
        hint: "remove it: control characters and bidirectional-text controls make the GUI, logs and reviews show " +
          "something other than what is stored"
      }))
    }
    const max = maxDescriptionLength(name)
    const bytes = Buffer.byteLength(description, "utf8")
    if (bytes > max) {
      issues.push(report(item, ["description"], {
        code: "description-too-long",
        message: `description is ${bytes} bytes of UTF-8${
          bytes === description.length ? "" : ` (${description.length} characters)`
        }; at most ${max} bytes fit beside the ownership marker`,
        hint: `shorten it by ${bytes - max} bytes (letters outside ASCII take 2-4 bytes each)`
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
      message:
        `${item.model} "${item.name}" is already defined at ${first.source.file}:${first.source.line}:${first.source.column}`,
      hint: "names are the key a change is tracked by: rename one of them or merge the two"
    }))
  }
  return issues
}
