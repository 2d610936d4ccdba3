/**
 * Byte-level helpers for the calendar scanner's slow path, taken only when the input is not valid
 * UTF-8 as a whole: re-joining multi-octet characters that a fold split, and locating the first
 * byte that is genuinely not UTF-8.
 */

/**
 * RFC 5545 §3.1 folds at 75 *octets* and warns that "very simple implementations" split a UTF-8
 * multi-octet sequence across a fold; unfolding must restore it. Outlook and ical.js join the bytes
 * before decoding. We do the same without losing physical line numbers: when the bytes before a
 * fold end in an incomplete sequence and the continuation line starts with the missing continuation
 * bytes, those bytes are moved in front of the line break. The line count stays the same and the
 * unfolded content is byte-for-byte what unfolding the original would give.
 *
 * Returns `bytes` itself when nothing had to move, otherwise a repaired copy.
 */
export function joinSplitSequences(bytes: Uint8Array): Uint8Array {
  let out: Uint8Array | undefined;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = (out ?? bytes)[i] ?? 0;
    if (b !== 0x0a && b !== 0x0d) {
      i++;
      continue;
    }
    const source = out ?? bytes;
    const breakLength = b === 0x0d && source[i + 1] === 0x0a ? 2 : 1;
    const ws = i + breakLength;
    const next = source[ws];
    if (next !== 0x20 && next !== 0x09) {
      i = ws;
      continue;
    }
    const need = missingContinuationBytes(source, i);
    if (need === 0 || !continuationBytesAt(source, ws + 1, need)) {
      i = ws + 1;
      continue;
    }
    out ??= Uint8Array.from(bytes);
    // Rotate [break, ws, cont…] into [cont…, break, ws].
    const moved = out.slice(ws + 1, ws + 1 + need);
    out.copyWithin(i + need, i, ws + 1);
    out.set(moved, i);
    i = i + need + breakLength + 1;
  }
  return out ?? bytes;
}

/** How many continuation bytes the sequence ending just before `end` still lacks (0 when complete). */
function missingContinuationBytes(bytes: Uint8Array, end: number): number {
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = bytes[end - k] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const length = sequenceLengthOfLead(b);
    return length > k ? length - k : 0;
  }
  return 0;
}

function continuationBytesAt(bytes: Uint8Array, start: number, count: number): boolean {
  if (start + count > bytes.length) return false;
  for (let j = start; j < start + count; j++) if (((bytes[j] ?? 0) & 0xc0) !== 0x80) return false;
  return true;
}

function sequenceLengthOfLead(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode 15 Table 3-7,
 * the same definition the WHATWG decoder uses to insert U+FFFD), or -1 when all of it is valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLengthOfLead(b);
    if (length === 0 || i + length > n) return i;
    const second = bytes[i + 1] ?? 0;
    // The second byte's range depends on the lead: no overlongs (E0, F0), no surrogates (ED), nothing
    // above U+10FFFF (F4).
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let j = i + 2; j < i + length; j++) if (((bytes[j] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

/** 1-based physical line of a byte offset; CRLF, bare LF and bare CR each end a line. */
export function lineAtOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) line++;
    else if (b === 0x0d && bytes[i + 1] !== 0x0a) line++;
  }
  return line;
}

/** Octet lengths of physical lines (line break excluded): how many exceed `limit`, and the first. */
export function measureLongLines(
  bytes: Uint8Array,
  limit: number,
): { count: number; firstLine: number; firstOctets: number } {
  let count = 0;
  let firstLine = 0;
  let firstOctets = 0;
  let line = 1;
  let start = 0;
  const n = bytes.length;
  for (let i = 0; i <= n; i++) {
    const b = i < n ? bytes[i] : 0x0a;
    if (b !== 0x0a && b !== 0x0d) continue;
    const octets = i - start;
    if (octets > limit) {
      if (count === 0) {
        firstLine = line;
        firstOctets = octets;
      }
      count++;
    }
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    line++;
    start = i + 1;
  }
  return { count, firstLine, firstOctets };
}
