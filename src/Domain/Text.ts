/**
 * Characters that change how text is shown without being visible themselves, refused wherever a
 * caller's text lands in something a person reviews (commit messages, object descriptions):
 *
 * - C0 controls U+0000–U+001F, DEL U+007F and C1 controls U+0080–U+009F: an ANSI escape sequence
 *   starts with ESC (U+001B) or CSI (U+009B) and can recolour, hide or rewrite what a terminal shows
 *   (`git log` in a terminal prints the message as it is);
 * - the bidirectional controls U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates) and
 *   the marks U+200E/U+200F: they reorder what an editor or a web view shows against what is stored
 *   ("Trojan Source", CVE-2021-42574);
 * - U+2028/U+2029 (line and paragraph separators), which some viewers break lines at.
 */

const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu

const BIDI = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/u

/** "U+001B" */
export const codePoint = (char: string): string =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`

const kindOf = (char: string): string =>
  BIDI.test(char)
    ? "bidirectional-text control"
    : char === "\u001b" || char === "\u009b"
    ? "escape (ANSI sequences)"
    : "control character"

export interface UnsafeCharacter {
  readonly char: string
  /** index in the string (UTF-16 units) */
  readonly index: number
  /** "control character U+0007 at position 4" */
  readonly description: string
}

/** The first unsafe character of `text` that is not in `allow`, or undefined. */
export const findUnsafe = (text: string, allow: ReadonlyArray<string> = []): UnsafeCharacter | undefined => {
  for (const match of text.matchAll(UNSAFE)) {
    const char = match[0]
    if (allow.includes(char)) continue
    return {
      char,
      index: match.index,
      description: `${kindOf(char)} ${codePoint(char)} at position ${match.index + 1}`
    }
  }
  return undefined
}

/** `text` with every unsafe character (except those in `allow`) written as a visible `<U+XXXX>`. */
export const printable = (text: string, allow: ReadonlyArray<string> = []): string =>
  text.replace(UNSAFE, (char) => (allow.includes(char) ? char : `<${codePoint(char)}>`))

/** A name from free text: lower-case words joined by "-", or undefined when nothing usable is left. */
export const slug = (text: string): string | undefined => {
  const s = text.toLowerCase().replace(/[^a-z0-9_.:-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 56)
  return s === "" ? undefined : s
}
