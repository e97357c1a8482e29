/**
 * How problems in the desired state are described: one Issue per problem, pointing at a file,
 * line and column, with a stable code, the item's name when there is one, and a hint that says
 * how to fix it. Also the did-you-mean helper and the translation of Schema decode failures.
 */
import type * as SchemaAST from "effect/SchemaAST"
import type * as SchemaIssue from "effect/SchemaIssue"
import type { Issue, Severity } from "../Domain/Desired.ts"
import { byCodeUnit } from "../Domain/Digest.ts"

export interface Position {
  readonly line: number
  readonly column: number
}

export interface IssueInput {
  readonly code: string
  readonly message: string
  readonly hint?: string | undefined
  readonly severity?: Severity | undefined
  readonly name?: string | undefined
  readonly kind?: string | undefined
}

export const makeIssue = (file: string, at: Position, input: IssueInput): Issue => ({
  file,
  line: at.line,
  column: at.column,
  severity: input.severity ?? "error",
  code: input.code,
  message: input.message,
  ...(input.name !== undefined ? { name: input.name } : {}),
  ...(input.kind !== undefined ? { kind: input.kind } : {}),
  ...(input.hint !== undefined ? { hint: input.hint } : {})
})

/** Issues in a stable order: by file, line, column, then code. */
export const sortIssues = (issues: ReadonlyArray<Issue>): ReadonlyArray<Issue> =>
  [...issues].sort((a, b) =>
    byCodeUnit(a.file, b.file) || a.line - b.line || a.column - b.column || byCodeUnit(a.code, b.code)
  )

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length] ?? 0
}

/** The closest candidate when it is close enough to be a plausible typo. */
export const didYouMean = (input: string, candidates: Iterable<string>): string | undefined => {
  const lower = input.toLowerCase()
  let best: string | undefined
  let bestScore = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const score = distance(lower, candidate.toLowerCase())
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  const limit = Math.max(1, Math.floor(input.length / 3))
  return best !== undefined && bestScore <= limit ? best : undefined
}

export const suggestion = (input: string, candidates: Iterable<string>): string | undefined => {
  const match = didYouMean(input, candidates)
  return match === undefined ? undefined : `did you mean "${match}"?`
}

// ---------------------------------------------------------------------------------------------
// Schema decode failures → (path, code, message, hint)

export interface PathIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly code: string
  readonly message: string
  readonly hint?: string | undefined
}

const describeAst = (ast: SchemaAST.AST): string => {
  switch (ast._tag) {
    case "String":
      return "text"
    case "Number":
      return ast.checks?.some((c) => c.annotations?.expected === "an integer") === true ? "a whole number" : "a number"
    case "Boolean":
      return "true or false"
    case "Arrays":
      return "a list"
    case "Objects":
      return "a mapping of fields"
    case "Literal":
      return JSON.stringify(ast.literal)
    case "Union":
      return [...new Set(ast.types.map(describeAst))].join(" or ")
    default:
      return "a different value"
  }
}

const describeInput = (input: unknown): string =>
  input === null || input === undefined
    ? "nothing"
    : Array.isArray(input)
    ? "a list"
    : typeof input === "object"
    ? "a mapping"
    : typeof input === "string"
    ? `"${input}"`
    : String(input)

const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<string> | undefined => {
  if (ast._tag !== "Union") return undefined
  const literals = ast.types.flatMap((t) => (t._tag === "Literal" && typeof t.literal === "string" ? [t.literal] : []))
  return literals.length === ast.types.length ? literals : undefined
}

/** Flatten a decode failure into one entry per offending value, with the path to it. */
export const flattenSchemaIssue = (
  issue: SchemaIssue.Issue,
  input: unknown,
  path: ReadonlyArray<PropertyKey> = []
): ReadonlyArray<PathIssue> => {
  switch (issue._tag) {
    case "Pointer": {
      let inner = input
      for (const key of issue.path) {
        inner = typeof inner === "object" && inner !== null ? (inner as Record<PropertyKey, unknown>)[key] : undefined
      }
      return flattenSchemaIssue(issue.issue, inner, [...path, ...issue.path])
    }
    case "Composite":
      return issue.issues.flatMap((i) => flattenSchemaIssue(i, input, path))
    case "Encoding":
      return flattenSchemaIssue(issue.issue, input, path)
    case "AnyOf": {
      if (issue.issues.length > 0) return issue.issues.flatMap((i) => flattenSchemaIssue(i, input, path))
      const literals = literalsOf(issue.ast)
      if (literals !== undefined) {
        const typo = typeof input === "string" ? suggestion(input, literals) : undefined
        return [{
          path,
          code: "invalid-value",
          message: `${describeInput(input)} is not one of ${literals.join(", ")}`,
          hint: typo ?? `use one of: ${literals.join(", ")}`
        }]
      }
      return [typeError(path, issue.ast, input)]
    }
    case "Filter": {
      const annotation = issue.filter.annotations?.expected
      const expected = typeof annotation === "string" ? annotation : "a valid value"
      if (expected === "an integer") {
        return [{
          path,
          code: "type",
          message: `expected a whole number, found ${describeInput(input)}`,
          hint: "write a whole number without quotes, e.g. 10"
        }]
      }
      const range = expected.includes("between") || expected.includes("greater") || expected.includes("less")
      return [{
        path,
        code: range ? "out-of-range" : "invalid-value",
        message: range
          ? `${describeInput(input)} is out of range: expected ${expected}`
          : `${describeInput(input)} is not valid: expected ${expected}`,
        hint: `use ${expected}`
      }]
    }
    case "MissingKey":
      return [{
        path,
        code: "missing-field",
        message: `required field "${String(path[path.length - 1])}" is missing`,
        hint: `add "${String(path[path.length - 1])}: ..." to this item`
      }]
    case "InvalidType":
      return [typeError(path, issue.ast, input)]
    case "UnexpectedKey":
      return [{
        path,
        code: "unknown-field",
        message: `unknown field "${String(path[path.length - 1])}"`,
        hint: "remove it"
      }]
    case "InvalidValue":
    case "Forbidden":
    case "OneOf":
      return [{
        path,
        code: "invalid-value",
        message: `${describeInput(input)} is not a valid value`,
        hint: "see docs/desired-state.md for the values this field takes"
      }]
  }
}

const typeError = (path: ReadonlyArray<PropertyKey>, ast: SchemaAST.AST, input: unknown): PathIssue => ({
  path,
  code: "type",
  message: `expected ${describeAst(ast)}, found ${describeInput(input)}`,
  hint: input === null ? "give the field a value, or remove it to use the default" : `write ${describeAst(ast)} here`
})
