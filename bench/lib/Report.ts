/**
 * How every benchmark reports: one machine-readable JSON line on stdout (`{"benchmark":…}`), and a
 * readable table on stderr, so `npm run bench > results.jsonl` keeps the figures and a terminal
 * shows both.
 */

export type Cell = string | number | boolean | undefined

export interface Table {
  readonly title: string
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<Cell>>
  readonly notes?: ReadonlyArray<string>
}

const show = (cell: Cell): string =>
  cell === undefined
    ? "–"
    : typeof cell === "number"
    ? (Number.isInteger(cell) ? cell.toLocaleString("en-US") : cell.toFixed(cell < 10 ? 2 : 1))
    : String(cell)

export const renderTable = (table: Table): string => {
  const cells = table.rows.map((row) => table.columns.map((_, i) => show(row[i])))
  const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)))
  // numbers right-aligned, text left-aligned
  const numeric = table.columns.map((_, i) => table.rows.some((r) => typeof r[i] === "number"))
  const line = (values: ReadonlyArray<string>) =>
    `  ${
      values.map((v, i) => (numeric[i] === true ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ")
        .trimEnd()
    }`
  return [
    `\n${table.title}`,
    line(table.columns),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
    ...(table.notes ?? []).map((n) => `  · ${n}`)
  ].join("\n")
}

/** Print one benchmark's result: the JSON line (stdout) and its tables (stderr). */
export const emit = (
  benchmark: string,
  figures: Readonly<Record<string, unknown>>,
  tables: ReadonlyArray<Table>
): void => {
  process.stdout.write(`${JSON.stringify({ benchmark, ...figures })}\n`)
  for (const t of tables) process.stderr.write(`${renderTable(t)}\n`)
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN
}

export const time = async <A>(f: () => Promise<A>): Promise<{ readonly result: A; readonly ms: number }> => {
  const start = performance.now()
  const result = await f()
  return { result, ms: performance.now() - start }
}

export const timeSync = <A>(f: () => A): { readonly result: A; readonly ms: number } => {
  const start = performance.now()
  const result = f()
  return { result, ms: performance.now() - start }
}

/** A target of the issue, checked against a measured figure. */
export interface Target {
  readonly name: string
  readonly limit: string
  readonly figure: string
  /** undefined: not measured (with the reason in `figure`) */
  readonly met: boolean | undefined
}

export const target = (name: string, limit: string, figure: string, met: boolean | undefined): Target => ({
  name,
  limit,
  figure,
  met
})
