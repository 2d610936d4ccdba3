/**
 * Content-line folding, RFC 5545 §3.1: lines SHOULD NOT exceed 75 octets (excluding CRLF); a long
 * line is split by inserting CRLF + one space. We count UTF-8 octets and only split between code
 * points, so a multi-byte character is never cut (which some clients turn into U+FFFD).
 */

const MAX_OCTETS = 75;

/** Folds one unfolded content line; returns it unchanged when it already fits. */
export function foldLine(line: string): string {
  // Fast path: ASCII-only lines are the common case and need no octet counting.
  const ascii = isAscii(line);
  if (ascii) {
    if (line.length <= MAX_OCTETS) return line;
    // One octet per character: cut at fixed positions (75, then 74 after each folding space).
    let out = line.slice(0, MAX_OCTETS);
    for (let i = MAX_OCTETS; i < line.length; i += MAX_OCTETS - 1)
      out += '\r\n ' + line.slice(i, i + MAX_OCTETS - 1);
    return out;
  }
  let out = '';
  let start = 0;
  let octets = 0;
  let limit = MAX_OCTETS;
  for (let i = 0; i < line.length;) {
    const code = line.codePointAt(i) ?? 0;
    const units = code > 0xffff ? 2 : 1;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (octets + size > limit) {
      out += line.slice(start, i) + '\r\n ';
      start = i;
      octets = 0;
      // A continuation line starts with the folding space, which counts towards its 75 octets.
      limit = MAX_OCTETS - 1;
    }
    octets += size;
    i += units;
  }
  return out + line.slice(start);
}

/** Joins unfolded lines into a calendar stream: each folded, CRLF after every line, final CRLF. */
export function foldLines(lines: readonly string[]): string {
  let out = '';
  for (const line of lines) out += foldLine(line) + '\r\n';
  return out;
}

/** Undoes folding (RFC 5545 §3.1: a CRLF followed by one space or tab is removed). */
export function unfoldLines(text: string): string[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}
