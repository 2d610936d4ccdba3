/**
 * Charset handling for the inspector's MIME reader: bytes → text with an explicit report of what
 * went wrong (a linter must say "this is not valid UTF-8", not silently show U+FFFD), and RFC 2047
 * encoded-words for file names.
 */
import { TextDecoder } from 'node:util';
import { decodeBase64 } from './mime-body-decoders.ts';

export interface DecodedText {
  readonly text: string;
  /** Why the text is not a faithful reading of the bytes (unknown charset, invalid bytes). */
  readonly problem?: string;
}

/**
 * A TextDecoder for a MIME charset label, or undefined when the label is unknown. WHATWG maps a few
 * legacy labels (iso-2022-kr, hz-gb-2312…) to the "replacement" encoding, which decodes anything to
 * a single U+FFFD: that is no decoding at all, so it counts as unknown here.
 */
function decoderFor(label: string, fatal: boolean): TextDecoder | undefined {
  try {
    const decoder = new TextDecoder(label, { fatal });
    return decoder.encoding === 'replacement' ? undefined : decoder;
  } catch {
    return undefined;
  }
}

/**
 * Decodes body bytes with their charset (UTF-8 when absent, as RFC 6047 §2.4 calendars are in
 * practice). Unknown charset or invalid bytes: decoded anyway (unknown charsets as UTF-8) with
 * U+FFFD replacements, and `problem` says so. A leading BOM is dropped, as clients do.
 */
export function decodeText(content: Buffer, charset: string | undefined): DecodedText {
  const label = charset?.trim() || 'utf-8';
  const strict = decoderFor(label, true);
  if (strict === undefined) {
    return {
      text: new TextDecoder('utf-8').decode(content),
      problem: `unknown charset "${label}"; the content was decoded as UTF-8`,
    };
  }
  try {
    return { text: strict.decode(content) };
  } catch {
    return {
      text: new TextDecoder(strict.encoding).decode(content),
      problem: `the content is not valid ${strict.encoding}; invalid bytes were replaced with U+FFFD`,
    };
  }
}

/** Bytes in a charset, or undefined when the charset is unknown (callers keep the raw text). */
export function decodeCharset(bytes: Uint8Array, charset: string): string | undefined {
  // RFC 2231 §5 allows a language after the charset in encoded-words: `UTF-8*en`.
  const label = charset.split('*', 1)[0]?.trim() || 'utf-8';
  return decoderFor(label, false)?.decode(bytes);
}

// RFC 2047 §2: =?charset?encoding?encoded-text?=. The text excludes '?' (so a match never runs past
// the next '?', keeping the scan linear); spaces inside are tolerated because broken encoders emit
// them and clients still decode such words.
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=/g;

/**
 * Decodes RFC 2047 encoded-words (used, against RFC 2231, for file names by Outlook and Gmail, and
 * decoded by every client). Whitespace between adjacent encoded-words is dropped (§6.2); adjacent
 * words in the same charset are decoded together, so a multi-byte character split across two
 * words (a common encoder bug) survives. Unknown charsets keep the encoded-word as written.
 */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  let out = '';
  let last = 0;
  let pending: { charset: string; chunks: Buffer[]; start: number; end: number } | undefined;
  const flush = (): void => {
    if (pending === undefined) return;
    const decoded = decodeCharset(Buffer.concat(pending.chunks), pending.charset);
    out += decoded ?? text.slice(pending.start, pending.end);
    pending = undefined;
  };
  for (const match of text.matchAll(ENCODED_WORD)) {
    const [word, charset = '', encoding = '', encoded = ''] = match;
    const adjacent = pending !== undefined && isBlank(text, last, match.index);
    if (!adjacent) {
      flush();
      out += text.slice(last, match.index);
    }
    const bytes =
      encoding === 'b' || encoding === 'B'
        ? decodeBase64(Buffer.from(encoded, 'latin1')).content
        : decodeQ(encoded);
    last = match.index + word.length;
    if (pending !== undefined && pending.charset.toLowerCase() === charset.toLowerCase()) {
      pending.chunks.push(bytes);
      pending.end = last;
    } else {
      flush();
      pending = { charset, chunks: [bytes], start: match.index, end: last };
    }
  }
  flush();
  return out + text.slice(last);
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** RFC 2047 §4.2 "Q": `_` is a space, `=XX` an octet, anything else literal. */
function decodeQ(encoded: string): Buffer {
  const input = Buffer.from(encoded, 'utf8');
  if (!input.includes(0x5f) && !input.includes(0x3d)) return input;
  const out = Buffer.allocUnsafe(input.length);
  let written = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] ?? 0;
    const hex = c === 0x3d ? Buffer.from(input.subarray(i + 1, i + 3)).toString('latin1') : '';
    if (c === 0x5f) out[written++] = 0x20;
    else if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[written++] = parseInt(hex, 16);
      i += 2;
    } else out[written++] = c;
  }
  return out.subarray(0, written);
}
