/**
 * MAC addresses as MacAddressField takes them (PHP FILTER_VALIDATE_MAC: six pairs of hex digits
 * joined by `:` or `-`, or three groups of four joined by `.`; opnsense/core 26.7.2:
 * src/opnsense/mvc/app/models/OPNsense/Base/FieldTypes/MacAddressField.php), in one canonical form.
 */
const PAIRS = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i
const DOTTED = /^[0-9a-f]{4}(\.[0-9a-f]{4}){2}$/i

export const isMac = (value: string): boolean => PAIRS.test(value) || DOTTED.test(value)

/** "AA-BB-CC-00-11-22" and "aabb.cc00.1122" → "aa:bb:cc:00:11:22"; anything else trimmed and lower-cased. */
export const canonicalMac = (value: string): string => {
  const v = value.trim()
  if (!isMac(v)) return v.toLowerCase()
  const hex = v.replace(/[:.-]/g, "").toLowerCase()
  return (hex.match(/../g) ?? []).join(":")
}
