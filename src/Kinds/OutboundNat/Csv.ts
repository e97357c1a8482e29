/**
 * The CSV of `firewall/source_nat/download_rules` (26.1.11+): `;`-separated, fields enclosed in
 * `"` when they hold the separator, a quote, a backslash or white space, a quote inside doubled;
 * the first line names the columns (`@uuid`, then the stored fields), no records give an empty
 * body. opnsense/core 26.1.11, 26.7.2: src/opnsense/mvc/app/controllers/OPNsense/Base/ApiControllerBase.php
 * exportCsv (fputcsv), Firewall/Api/FilterBaseController.php downloadRulesBase.
 *
 * PHP's fputcsv leaves a quote that follows a backslash undoubled; such a value (a description
 * ending in `\"…`) is read as it comes, which at worst shows a changed description in a plan.
 */

/** Records of the CSV as column → value. */
export const parseCsv = (text: string): ReadonlyArray<Readonly<Record<string, string>>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === "\"" && text[i + 1] === "\"") {
        field += "\""
        i++
      } else if (ch === "\"") quoted = false
      else field += ch
    } else if (ch === "\"") quoted = true
    else if (ch === ";") {
      row.push(field)
      field = ""
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++
      row.push(field)
      rows.push(row)
      row = []
      field = ""
    } else field += ch
  }
  if (field !== "" || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  const [header, ...records] = rows.filter((r) => !(r.length === 1 && r[0] === ""))
  if (header === undefined) return []
  return records.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ""])))
}
