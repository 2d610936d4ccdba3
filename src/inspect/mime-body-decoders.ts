/**
 * Tolerant Content-Transfer-Encoding decoders (RFC 2045 §6.7, §6.8) that report damage instead of
 * repairing it silently. Both are single passes over the bytes: linear in the input, whatever it is.
 */

export interface DecodedBody {
  readonly content: Buffer;
  /** Human-readable descriptions of the damage found; empty when the encoding is clean. */
  readonly problems: readonly string[];
}

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const EQUALS = 0x3d;

const BASE64_VALUES = ((): Int8Array => {
  const table = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/**
 * RFC 2045 §6.8 base64. Line breaks and white space are skipped silently (encoders must wrap at 76
 * characters). Other characters outside the alphabet "are to be ignored" but "probably indicate a
 * transmission error": skipped and reported. Padding is checked: a missing or misplaced `=`, data
 * after the padding (two encodings pasted together) and a dangling 6-bit group are reported; what
 * can be decoded still is, quantum by quantum, as clients do.
 */
export function decodeBase64(input: Uint8Array): DecodedBody {
  const out = Buffer.allocUnsafe(Math.ceil((input.length * 3) / 4) + 3);
  let written = 0;
  let acc = 0;
  let count = 0; // sextets in the current quantum
  let pads = 0; // '=' seen since the last data character
  let padQuantum = 0; // sextets in the quantum the padding closed
  let invalid = 0;
  let firstInvalid = -1;
  let misplacedPad = false;
  let dataAfterPad = false;
  let badPadLength = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? 0;
    const v = BASE64_VALUES[c] ?? -1;
    if (v >= 0) {
      if (pads > 0) {
        dataAfterPad = true;
        if (pads !== 4 - padQuantum) badPadLength = true;
        pads = 0;
      }
      acc = (acc << 6) | v;
      if (++count === 4) {
        out[written++] = (acc >> 16) & 0xff;
        out[written++] = (acc >> 8) & 0xff;
        out[written++] = acc & 0xff;
        acc = 0;
        count = 0;
      }
    } else if (c === EQUALS) {
      if (pads === 0) {
        // Padding closes the current quantum: 2 sextets → 1 octet, 3 → 2 octets.
        if (count < 2) misplacedPad = true;
        else flushPartial();
        padQuantum = count;
        count = 0;
        acc = 0;
      }
      pads++;
    } else if (c !== SP && c !== TAB && c !== CR && c !== LF && c !== 0x0c && c !== 0x0b) {
      invalid++;
      if (firstInvalid === -1) firstInvalid = i;
    }
  }
  if (pads > 0 && padQuantum >= 2 && pads !== 4 - padQuantum) badPadLength = true;
  const problems: string[] = [];
  if (invalid > 0) {
    problems.push(
      `${invalid} character(s) outside the base64 alphabet were ignored (first at offset ${firstInvalid}: 0x${(input[firstInvalid] ?? 0).toString(16).padStart(2, '0')})`,
    );
  }
  if (misplacedPad) problems.push('misplaced "=" padding inside the base64 data');
  if (dataAfterPad) problems.push('data follows the "=" padding (concatenated base64?)');
  if (badPadLength) problems.push('wrong number of "=" padding characters');
  if (count === 1) problems.push('the base64 data ends with a dangling character (6 bits dropped)');
  else if (count > 1) {
    problems.push('the base64 data is not padded to a multiple of 4 characters');
    flushPartial();
  }
  return { content: out.subarray(0, written), problems };

  function flushPartial(): void {
    if (count === 2) out[written++] = (acc >> 4) & 0xff;
    else if (count === 3) {
      out[written++] = (acc >> 10) & 0xff;
      out[written++] = (acc >> 2) & 0xff;
    }
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  // Lower case is forbidden on the wire but RFC 2045 §6.7 (1) lets a robust decoder accept it.
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * RFC 2045 §6.7 quoted-printable. `=XX` is an octet; `=` at the end of a line (CRLF or bare LF,
 * optionally after transport-added white space) is a soft break; `=` at the very end of the data is
 * a soft break too (encoders end a part that has no final newline that way: the CRLF before the
 * next delimiter belongs to the delimiter, RFC 2046 §5.1.1). Trailing white space before a hard
 * break is deleted (§6.7 rule 3). Any other `=` is kept literally, as Outlook, Gmail and Thunderbird
 * display it, and reported. Hard line breaks are kept exactly as written (CRLF or LF).
 */
export function decodeQuotedPrintable(input: Uint8Array): DecodedBody {
  const out = Buffer.allocUnsafe(input.length);
  let written = 0;
  let bad = 0;
  let firstBad = -1;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = input[i] ?? 0;
    if (c === EQUALS) {
      const hi = i + 1 < n ? hexValue(input[i + 1] ?? 0) : -1;
      const lo = i + 2 < n ? hexValue(input[i + 2] ?? 0) : -1;
      if (hi >= 0 && lo >= 0) {
        out[written++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
      let j = i + 1;
      while (j < n && (input[j] === SP || input[j] === TAB)) j++;
      if (j === n) break; // soft break at the end of the data
      if (input[j] === LF) {
        i = j;
        continue;
      }
      if (input[j] === CR && input[j + 1] === LF) {
        i = j + 1;
        continue;
      }
      bad++;
      if (firstBad === -1) firstBad = i;
      out[written++] = c;
    } else if (c === SP || c === TAB) {
      let j = i;
      while (j < n && (input[j] === SP || input[j] === TAB)) j++;
      const trailing = j === n || input[j] === LF || (input[j] === CR && input[j + 1] === LF);
      if (!trailing) for (let k = i; k < j; k++) out[written++] = input[k] ?? 0;
      i = j - 1;
    } else {
      out[written++] = c;
    }
  }
  const problems: string[] = [];
  if (bad > 0) {
    const sample = Buffer.from(input.subarray(firstBad, Math.min(n, firstBad + 3))).toString(
      'latin1',
    );
    problems.push(
      `${bad} "=" not followed by two hex digits or a line break were kept literally (first at offset ${firstBad}: ${JSON.stringify(sample)})`,
    );
  }
  return { content: out.subarray(0, written), problems };
}
