/**
 * The header section of a message or body part (RFC 5322 §2.2, §3.6; RFC 2045 §5, RFC 2183):
 * unfolded raw fields, where the body starts, and the MIME fields the tree needs, read tolerantly
 * with every deviation reported.
 */
import { TextDecoder } from 'node:util';
import type { MimeHeader } from './mime-model.ts';
import { parseHeaderParams, toParams } from './mime-header-params.ts';
import { excerpt, type ProblemLog } from './mime-problem-log.ts';

// Far beyond any deliverable message (Exchange caps the header section at 256 KB by default,
// Postfix at 100 KB), low enough that a hostile 20 MB header section stays cheap to read.
export const MAX_HEADER_FIELDS = 10_000;

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

type MimeFieldName = 'content-type' | 'content-transfer-encoding' | 'content-disposition';

export interface MimeField {
  readonly header: MimeHeader;
  /** The value was decoded from UTF-8 octets (so it must be re-encoded to match octets). */
  readonly utf8: boolean;
  /** How many fields of this name the header section has (the first is used). */
  readonly count: number;
}

export interface HeaderBlock {
  readonly headers: MimeHeader[];
  readonly fields: Partial<Record<MimeFieldName, MimeField>>;
  readonly bodyStart: number;
  /** False when no empty line ends the header section. */
  readonly separated: boolean;
}

/**
 * Reads header fields from `start` up to the first empty line (CRLF CRLF, or LF LF in LF-only
 * files), within `end`. Lines without a colon and continuation lines with nothing to continue are
 * reported and skipped; a name with characters outside ftext is reported but kept.
 */
export function readHeaderBlock(
  text: string,
  start: number,
  end: number,
  log: ProblemLog,
  isRoot: boolean,
): HeaderBlock {
  const headers: MimeHeader[] = [];
  const fields: Partial<Record<MimeFieldName, MimeField>> = {};
  let name: string | undefined;
  let value = '';
  let folded: string[] | undefined;
  let dropped = 0;
  const flush = (): void => {
    if (name === undefined) return;
    const field = mimeFieldName(name);
    if (field === undefined && headers.length >= MAX_HEADER_FIELDS) {
      dropped++;
      name = undefined;
      folded = undefined;
      return;
    }
    const octets = trimWsp(folded === undefined ? value : folded.join(''));
    const header: MimeHeader = { name, value: readUtf8(octets) };
    headers.push(header);
    if (field !== undefined) {
      const seen = fields[field];
      fields[field] =
        seen === undefined
          ? { header, utf8: header.value !== octets, count: 1 }
          : { ...seen, count: seen.count + 1 };
    }
    name = undefined;
    folded = undefined;
  };
  let pos = start;
  while (pos < end) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1 || nl > end) nl = end;
    const lineEnd = nl > pos && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    const next = nl < end ? nl + 1 : end;
    if (lineEnd === pos) {
      flush();
      reportDropped(dropped, log);
      return { headers, fields, bodyStart: next, separated: true };
    }
    const first = text.charCodeAt(pos);
    if (first === SP || first === TAB) {
      // Unfolding (RFC 5322 §2.2.3) removes only the line break: the WSP stays.
      if (name !== undefined) (folded ??= [value]).push(text.slice(pos, lineEnd));
      else {
        const line = text.slice(pos, lineEnd);
        log.add(
          'invalid-header',
          () => `continuation line ${excerpt(line)} before any header field; ignored`,
        );
      }
    } else {
      flush();
      const line = text.slice(pos, lineEnd);
      const colon = line.indexOf(':');
      const fieldName = colon > 0 ? trimWsp(line.slice(0, colon)) : '';
      if (isRoot && pos === start && line.startsWith('From ')) {
        log.add('invalid-header', () => `mbox separator line ${excerpt(line)}; ignored`);
      } else if (fieldName === '') {
        log.add(
          'invalid-header',
          () => `line ${excerpt(line)} is not a header field (no name and ":"); ignored`,
        );
      } else {
        // `Subject : x` (RFC 5322 §4.5.5 obsolete syntax): the WSP before the colon is no part of
        // the name.
        if (!isFieldName(fieldName))
          log.add(
            'invalid-header',
            () => `header field name ${excerpt(fieldName)} has characters not allowed in a name`,
          );
        name = fieldName;
        value = line.slice(colon + 1);
      }
    }
    pos = next;
  }
  flush();
  reportDropped(dropped, log);
  return { headers, fields, bodyStart: end, separated: false };
}

function reportDropped(dropped: number, log: ProblemLog): void {
  if (dropped > 0)
    log.add(
      'invalid-header',
      `${dropped} header field(s) beyond the first ${MAX_HEADER_FIELDS} were not kept (MIME fields still were); no mail system delivers headers that large`,
    );
}

function mimeFieldName(name: string): MimeFieldName | undefined {
  // Length first: the lower-casing happens for a handful of fields, not for every Received line.
  if (name.length !== 12 && name.length !== 19 && name.length !== 25) return undefined;
  const lower = name.toLowerCase();
  return lower === 'content-type' ||
    lower === 'content-disposition' ||
    lower === 'content-transfer-encoding'
    ? lower
    : undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A field value from its octets (one char each): 8-bit octets are read as UTF-8 when valid
 * (RFC 6532, and what Gmail and Outlook send in practice), otherwise kept one char per octet.
 */
function readUtf8(octets: string): string {
  if (!/[\x80-\xff]/.test(octets)) return octets;
  try {
    return UTF8.decode(Buffer.from(octets, 'latin1'));
  } catch {
    return octets;
  }
}

/** RFC 5322 §3.6.8: field-name = 1*ftext, printable US-ASCII except ":". */
function isFieldName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x3a) return false;
  }
  return name.length > 0;
}

export function trimWsp(text: string): string {
  let from = 0;
  let to = text.length;
  while (from < to && isWsp(text.charCodeAt(from))) from++;
  while (to > from && isWsp(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

// Not String#trim: that also strips U+00A0, which here is an octet of a UTF-8 character.
function isWsp(c: number): boolean {
  return c === SP || c === TAB || c === CR || c === LF;
}

/** Reports a repeated MIME field (clients disagree on which one wins; the first is used here). */
export function checkSingle(field: MimeField | undefined, log: ProblemLog): void {
  if (field !== undefined && field.count > 1)
    log.add(
      'invalid-header',
      `${field.count} ${field.header.name} header fields; the first is used`,
    );
}

// RFC 2045 §5.1: type "/" subtype, both tokens.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface ContentType {
  readonly contentType: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Lower-case `type/subtype` and parameters; `defaultType` when absent or unreadable (§5.2). */
export function readContentType(
  value: string | undefined,
  defaultType: string,
  log: ProblemLog,
): ContentType {
  if (value === undefined) return { contentType: defaultType, params: toParams() };
  const parsed = parseHeaderParams(value);
  for (const problem of parsed.problems) log.add('invalid-header', `Content-Type: ${problem}`);
  const parts = parsed.value.split('/');
  const type = parts.length === 2 ? trimWsp(parts[0] ?? '') : '';
  const subtype = parts.length === 2 ? trimWsp(parts[1] ?? '') : '';
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) {
    log.add(
      'invalid-header',
      `Content-Type ${excerpt(value)} has no valid type/subtype; read as ${defaultType} (RFC 2045 §5.2)`,
    );
    return { contentType: defaultType, params: parsed.params };
  }
  return { contentType: `${type}/${subtype}`.toLowerCase(), params: parsed.params };
}

export interface Disposition {
  readonly type?: string;
  readonly params: Readonly<Record<string, string>>;
}

/** RFC 2183: lower-case disposition type (`inline`, `attachment`…) and parameters. */
export function readDisposition(value: string | undefined, log: ProblemLog): Disposition {
  if (value === undefined) return { params: toParams() };
  const parsed = parseHeaderParams(value);
  for (const problem of parsed.problems)
    log.add('invalid-header', `Content-Disposition: ${problem}`);
  if (!TOKEN.test(parsed.value)) {
    log.add(
      'invalid-header',
      `Content-Disposition ${excerpt(value)} does not start with a disposition type (RFC 2183 §2)`,
    );
    return { params: parsed.params };
  }
  return { type: parsed.value.toLowerCase(), params: parsed.params };
}
