/**
 * The octet-level codecs of the iMIP writer: line-break normalisation, the 7bit test,
 * quoted-printable, base64 lines and RFC 2047 encoded-words. This is the one place that would
 * import nodemailer's codec helpers, and it does not, on purpose: measured here on a 2 KB HTML
 * body, `nodemailer/lib/qp` takes ~18 µs to encode and ~28 µs with `wrap()` (a regex per output
 * line), and `mime-funcs` `encodeWord()` runs a regex per character, while a whole invitation has
 * to be composed in well under 40 µs. The encoders below lean on native scans (indexOf, one regex
 * pass, Buffer) and guarantee what the composer relies on: no quoted-printable line begins with
 * `-` (so no part can ever contain a boundary delimiter), and encoded-words never split a
 * character.
 */

export const CRLF = '\r\n';

/** RFC 5322 §2.1.1 / RFC 5321 §4.5.3.1.6: at most 998 octets per line, CRLF excluded. */
export const MAX_LINE_OCTETS = 998;

/** RFC 2045 §6.7 (5) and §6.8: encoded lines are at most 76 characters. */
const ENCODED_LINE_LENGTH = 76;

/** RFC 2047 §2: an encoded-word is at most 75 characters. */
export const MAX_ENCODED_WORD = 75;

export type TransferEncoding = '7bit' | 'quoted-printable' | 'base64';

/** LF, CR or CRLF line breaks → CRLF (RFC 5322 §2.1 allows no other). */
export function normalizeLineBreaks(text: string): string {
  // The renderers produce LF-only text: replaceAll with a string pattern is a native scan, several
  // times faster than the regex needed for mixed input.
  if (!text.includes('\r')) return text.includes('\n') ? text.replaceAll('\n', '\r\n') : text;
  return text.replace(/\r\n?|\n/g, '\r\n');
}

/**
 * True when `text` may travel as 7bit exactly as it is (RFC 2045 §2.7): US-ASCII, no NUL, CR and
 * LF only as CRLF pairs, no line over 998 octets. Only native scans (byteLength, indexOf): a
 * JavaScript loop over every character costs several times more on a 4 KB calendar.
 */
export function isSevenBitClean(text: string): boolean {
  // Every non-ASCII UTF-16 unit takes at least two UTF-8 octets.
  if (Buffer.byteLength(text, 'utf8') !== text.length || text.includes('\0')) return false;
  let lineStart = 0;
  let pairs = 0;
  for (;;) {
    const cr = text.indexOf('\r', lineStart);
    if (cr === -1) {
      if (text.length - lineStart > MAX_LINE_OCTETS) return false;
      break;
    }
    if (text.charCodeAt(cr + 1) !== 0x0a || cr - lineStart > MAX_LINE_OCTETS) return false;
    pairs++;
    lineStart = cr + 2;
  }
  // Each CR is followed by an LF; any LF beyond those is a bare one (and its "line" unmeasured).
  let lineFeeds = 0;
  for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', lf + 1)) {
    if (++lineFeeds > pairs) return false;
  }
  return true;
}

/**
 * True when a line of `content` begins with `--` + one of `boundaries` (RFC 2046 §5.1.1: the
 * delimiter must not occur in an encapsulated part). Parsers match the delimiter as a line prefix,
 * so a longer line that merely starts with it counts too.
 */
export function containsDelimiter(content: string, boundaries: readonly string[]): boolean {
  // Lines starting with `--` at all are rare: one native scan usually settles it.
  if (!content.startsWith('--') && !content.includes('\n--')) return false;
  for (const boundary of boundaries) {
    const delimiter = '--' + boundary;
    if (content.startsWith(delimiter) || content.includes('\n' + delimiter)) return true;
  }
  return false;
}

/** `=XX` for every octet value. */
const OCTET_ESCAPES: readonly string[] = Array.from(
  { length: 256 },
  (_, octet) => '=' + octet.toString(16).toUpperCase().padStart(2, '0'),
);

/** `=XX=XX…` of the UTF-8 encoding of one code point (a lone surrogate as U+FFFD, as Buffer does). */
function escapeCodePoint(cp: number): string {
  if (cp < 0x80) return OCTET_ESCAPES[cp]!;
  if (cp < 0x800) return OCTET_ESCAPES[0xc0 | (cp >> 6)]! + OCTET_ESCAPES[0x80 | (cp & 0x3f)]!;
  if (cp >= 0xd800 && cp <= 0xdfff) return '=EF=BF=BD';
  if (cp < 0x10000) {
    return (
      OCTET_ESCAPES[0xe0 | (cp >> 12)]! +
      OCTET_ESCAPES[0x80 | ((cp >> 6) & 0x3f)]! +
      OCTET_ESCAPES[0x80 | (cp & 0x3f)]!
    );
  }
  return (
    OCTET_ESCAPES[0xf0 | (cp >> 18)]! +
    OCTET_ESCAPES[0x80 | ((cp >> 12) & 0x3f)]! +
    OCTET_ESCAPES[0x80 | ((cp >> 6) & 0x3f)]! +
    OCTET_ESCAPES[0x80 | (cp & 0x3f)]!
  );
}

/**
 * What quoted-printable cannot leave as it is, apart from `=` (found with indexOf: HTML is full of
 * them, and a native substring search is far cheaper per hit than a regex match), line-end
 * whitespace and line-start `-`/`.`, which are decided per line (RFC 2045 §6.7): controls, DEL and
 * everything non-ASCII. CR and LF are not included (line breaks are normalised to CRLF first, and
 * a regex hit on every line break would cost more than all the rest). One character class:
 * alternatives (say, a surrogate pair per match) make the scan markedly slower.
 */
const QP_UNSAFE = /[^\t\r\n\x20-\x7e]/g;

/** Longest content of an encoded line: 76 characters with the soft break's `=` (§6.7 rule 5). */
const QP_LINE_CONTENT = ENCODED_LINE_LENGTH - 1;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Quoted-printable (RFC 2045 §6.7) of the UTF-8 encoding of `input`, a text whose line breaks (LF,
 * CR or CRLF, as `normalizeLineBreaks`) come out as CRLF. Beyond the RFC's rules:
 * - `-` and `.` at the start of any output line are encoded, so no line can begin with a boundary
 *   delimiter (`--…`) and no line is at the mercy of a transport's dot handling;
 * - soft line breaks never split the escapes of one character, which some clients decode line by
 *   line.
 * Text is mostly ASCII that needs no escaping, so this works on the string itself: a native regex
 * scan finds the few characters to escape, lines are copied as slices, and the pieces are joined
 * once (converting to a UTF-8 Buffer first, or growing a string piece by piece, each costs more
 * than the encoding itself).
 */
export function encodeQuotedPrintable(input: string): string {
  // With CRLF breaks, runs of lines that need no change are copied as one slice.
  const text = normalizeLineBreaks(input);
  const length = text.length;
  const out: string[] = [];
  let nextEquals = text.indexOf('=');
  if (nextEquals === -1) nextEquals = length;
  QP_UNSAFE.lastIndex = 0;
  let nextOther = QP_UNSAFE.exec(text)?.index ?? length;
  let nextUnsafe = Math.min(nextEquals, nextOther);
  let verbatimFrom = 0;
  let lineStart = 0;
  for (;;) {
    const crlf = text.indexOf('\r\n', lineStart);
    const lineEnd = crlf === -1 ? length : crlf;
    const first = text.charCodeAt(lineStart);
    // Rule (3): whitespace ending a line is encoded, transports strip it.
    const trailingSpace = lineEnd > lineStart && isWhitespace(text.charCodeAt(lineEnd - 1));
    if (
      nextUnsafe < lineEnd ||
      trailingSpace ||
      lineEnd - lineStart > ENCODED_LINE_LENGTH ||
      first === 0x2d ||
      first === 0x2e
    ) {
      if (verbatimFrom < lineStart) out.push(text.slice(verbatimFrom, lineStart));
      verbatimFrom = lineEnd;
      const literalEnd = trailingSpace ? lineEnd - 1 : lineEnd;
      let position = lineStart;
      let column = 0;
      while (position < lineEnd) {
        const stop = Math.min(nextUnsafe, literalEnd);
        // Characters that stand for themselves, cut into lines as needed.
        while (position < stop) {
          if (column === 0) {
            const c = text.charCodeAt(position);
            if (c === 0x2d || c === 0x2e) {
              out.push(OCTET_ESCAPES[c]!);
              column = 3;
              position++;
              continue;
            }
          }
          const room = QP_LINE_CONTENT - column;
          if (room <= 0) {
            out.push('=\r\n');
            column = 0;
            continue;
          }
          let take = Math.min(room, stop - position);
          const full = take === room && position + take < lineEnd;
          if (full) {
            // Prefer to break after a space, as people reading the raw source expect; looking
            // back a few characters only keeps this linear on lines without spaces.
            for (let k = position + take - 1; k > position && k >= position + take - 20; k--) {
              if (text.charCodeAt(k) === 0x20) {
                take = k + 1 - position;
                break;
              }
            }
          }
          out.push(text.slice(position, position + take));
          position += take;
          column += take;
          if (full) {
            out.push('=\r\n');
            column = 0;
          }
        }
        if (position >= lineEnd) break;
        // One character to escape: an unsafe one, or the line's trailing whitespace.
        const cp = text.codePointAt(position)!;
        const escaped = escapeCodePoint(cp);
        if (column + escaped.length > QP_LINE_CONTENT) {
          out.push('=\r\n');
          column = 0;
        }
        out.push(escaped);
        column += escaped.length;
        position += cp > 0xffff ? 2 : 1;
        if (position > nextEquals) {
          nextEquals = text.indexOf('=', position);
          if (nextEquals === -1) nextEquals = length;
        }
        if (position > nextOther) {
          // Not a unicode-mode regex: resume after a surrogate pair, not on its second half.
          QP_UNSAFE.lastIndex = position;
          nextOther = QP_UNSAFE.exec(text)?.index ?? length;
        }
        nextUnsafe = Math.min(nextEquals, nextOther);
      }
    }
    if (crlf === -1) break;
    lineStart = crlf + 2;
  }
  if (verbatimFrom < length) out.push(text.slice(verbatimFrom));
  return out.join('');
}

/** Base64 (RFC 2045 §6.8) of `data` (strings as UTF-8), in 76-character lines joined by CRLF. */
export function encodeBase64Lines(data: string | Buffer): string {
  const encoded = (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64');
  const length = encoded.length;
  if (length <= ENCODED_LINE_LENGTH) return encoded;
  let result = encoded.slice(0, ENCODED_LINE_LENGTH);
  for (let i = ENCODED_LINE_LENGTH; i < length; i += ENCODED_LINE_LENGTH) {
    result += CRLF + encoded.slice(i, i + ENCODED_LINE_LENGTH);
  }
  return result;
}

/**
 * Where an encoded-word goes decides which characters its Q encoding may leave as they are
 * (RFC 2047 §5): `text` for unstructured fields such as Subject (rule 1), `phrase` for display
 * names (rule 3, which is much stricter because a phrase is also parsed for specials).
 */
export type WordContext = 'text' | 'phrase';

const Q_TEXT_LITERAL = new Uint8Array(256);
const Q_PHRASE_LITERAL = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) {
  // `=`, `?` and `_` are the encoding's own syntax; `"`, `(` and `)` are kept encoded too so the
  // word reads the same to parsers that look for comments or quotes before decoding.
  if (c !== 0x3d && c !== 0x3f && c !== 0x5f && c !== 0x22 && c !== 0x28 && c !== 0x29) {
    Q_TEXT_LITERAL[c] = 1;
  }
}
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/') {
  Q_PHRASE_LITERAL[ch.charCodeAt(0)] = 1;
}

/** Octets taken by the UTF-8 sequence a lead octet starts (1 for ASCII and stray octets). */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

const Q_PREFIX = '=?UTF-8?Q?';
const B_PREFIX = '=?UTF-8?B?';
const WORD_OVERHEAD = Q_PREFIX.length + 2; // prefix and `?=`
/** The smallest word that always makes progress: one 4-octet character, Q-encoded. */
const MIN_WORD = WORD_OVERHEAD + 12;

/**
 * `value` as RFC 2047 encoded-words in UTF-8, each at most 75 characters and the first at most
 * `firstMax` (so it can share a line with the field name). Words break only between characters
 * (§5: "each encoded-word MUST represent an integral number of characters"), so a decoder that
 * decodes words one by one never sees half a character. Q for mostly-ASCII text, B otherwise.
 * Whitespace between adjacent encoded-words is ignored by decoders (§6.2), so the words can be
 * folded onto separate lines without changing the text.
 */
export function encodeWords(value: string, context: WordContext, firstMax: number): string[] {
  const src = Buffer.from(value, 'utf8');
  const literal = context === 'text' ? Q_TEXT_LITERAL : Q_PHRASE_LITERAL;
  let qLength = 0;
  for (const c of src) qLength += literal[c] === 1 || c === 0x20 ? 1 : 3;
  const bLength = Math.ceil(src.length / 3) * 4;
  // Q keeps mostly-ASCII text legible in the raw message (and to filters that read it raw); B is
  // for scripts where Q would triple every octet.
  let budget = Math.max(MIN_WORD, Math.min(firstMax, MAX_ENCODED_WORD)) - WORD_OVERHEAD;
  const words: string[] = [];
  if (qLength <= bLength * 1.5) {
    let word = '';
    let width = 0;
    for (let i = 0; i < src.length;) {
      const n = Math.min(sequenceLength(src[i]!), src.length - i);
      let piece = '';
      for (let k = i; k < i + n; k++) {
        const c = src[k]!;
        piece += c === 0x20 ? '_' : literal[c] === 1 ? String.fromCharCode(c) : OCTET_ESCAPES[c]!;
      }
      if (width + piece.length > budget && width > 0) {
        words.push(Q_PREFIX + word + '?=');
        budget = MAX_ENCODED_WORD - WORD_OVERHEAD;
        word = '';
        width = 0;
      }
      word += piece;
      width += piece.length;
      i += n;
    }
    if (width > 0) words.push(Q_PREFIX + word + '?=');
    return words;
  }
  let start = 0;
  for (let i = 0; i < src.length;) {
    const next = Math.min(i + sequenceLength(src[i]!), src.length);
    if (Math.ceil((next - start) / 3) * 4 > budget && i > start) {
      words.push(B_PREFIX + src.toString('base64', start, i) + '?=');
      budget = MAX_ENCODED_WORD - WORD_OVERHEAD;
      start = i;
    }
    i = next;
  }
  if (src.length > start) words.push(B_PREFIX + src.toString('base64', start, src.length) + '?=');
  return words;
}
