/**
 * A tolerant MIME reader for the inspector (RFC 5322, RFC 2045/2046). Unlike mailparser, which
 * repairs damage silently, it keeps what a linter needs (raw header values, part paths, transfer
 * encodings, sizes) and turns every deviation into a `MimeProblem` on the node concerned. It never
 * throws and stays linear in the input: the message is read once as a latin1 string (one char per
 * octet, so string offsets are byte offsets) and every scan moves forward.
 */
import type { MimeNode, MimeProblem } from './mime-model.ts';
import { decodeBase64, decodeQuotedPrintable } from './mime-body-decoders.ts';
import { decodeEncodedWords } from './mime-charset.ts';
import { findDelimiter, partEnd } from './mime-delimiter.ts';
import {
  checkSingle,
  readContentType,
  readDisposition,
  readHeaderBlock,
  trimWsp,
} from './mime-header-block.ts';
import { createProblemLog, excerpt, type ProblemLog } from './mime-problem-log.ts';

export { decodeText, type DecodedText } from './mime-charset.ts';

export interface MimeParseLimits {
  /** Deepest part path (number of components: `1.2.1` is 3); deeper containers are not opened. */
  readonly maxDepth: number;
  /** Most nodes in the tree, the root included; reading stops there. */
  readonly maxParts: number;
}

export const DEFAULT_MIME_LIMITS: MimeParseLimits = { maxDepth: 20, maxParts: 500 };

// Every level scans its own body again, so the cost is O(size × depth): the ceiling keeps a
// caller's generous limit from turning a hostile message into minutes of work or a stack overflow.
const HARD_MAX_DEPTH = 100;

/** The octets being parsed: a latin1 view for scanning, the Buffer for content slices. */
interface Source {
  readonly text: string;
  readonly buf: Buffer;
}

interface Context {
  readonly maxDepth: number;
  readonly maxParts: number;
  nodes: number;
  /** Set when maxParts was reached: every open container stops adding children. */
  stopped: boolean;
}

/** Parses a whole message. Never throws: damage (and, should one exist, a bug) becomes problems. */
export function parseMimeTree(raw: Buffer, limits: Partial<MimeParseLimits> = {}): MimeNode {
  try {
    // A Uint8Array from an untyped caller is viewed, not copied.
    const input: Uint8Array = raw;
    const buf = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const context: Context = {
      maxDepth: Math.min(HARD_MAX_DEPTH, limitValue(limits.maxDepth, DEFAULT_MIME_LIMITS.maxDepth)),
      maxParts: Math.max(1, limitValue(limits.maxParts, DEFAULT_MIME_LIMITS.maxParts)),
      nodes: 0,
      stopped: false,
    };
    const source: Source = { text: buf.toString('latin1'), buf };
    const rootProblems: MimeProblem[] = [];
    const bareLf = countBareLf(buf);
    if (bareLf > 0) {
      rootProblems.push({
        code: 'bare-lf',
        message: `${bareLf} line(s) end in a bare LF instead of CRLF (RFC 5322 §2.3); read anyway, but SMTP servers may reject or rewrite bare LFs (RFC 5321 §2.3.8)`,
      });
    }
    return parseEntity(source, 0, buf.length, '', 0, 'text/plain', context, rootProblems);
  } catch (err) {
    const content = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
    return {
      path: '',
      headers: [],
      contentType: 'text/plain',
      params: {},
      dispositionParams: {},
      size: content.length,
      content,
      children: [],
      problems: [
        {
          code: 'internal-error',
          message: `the MIME structure could not be read: ${err instanceof Error ? err.message : String(err)} (a bug in smtp-invite; please report it with the input)`,
        },
      ],
    };
  }
}

function limitValue(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function countBareLf(buf: Buffer): number {
  let count = 0;
  let previous = 0;
  for (let i = 0; i < buf.length; i++) {
    const octet = buf[i];
    if (octet === 0x0a && previous !== 0x0d) count++;
    previous = octet ?? 0;
  }
  return count;
}

function childPath(path: string, index: number): string {
  return path === '' ? String(index) : `${path}.${index}`;
}

function parseEntity(
  source: Source,
  start: number,
  end: number,
  path: string,
  depth: number,
  defaultType: string,
  context: Context,
  initialProblems: readonly MimeProblem[] = [],
): MimeNode {
  context.nodes++;
  const log = createProblemLog(initialProblems);
  const block = readHeaderBlock(source.text, start, end, log, path === '');
  if (!block.separated && end > start) {
    log.add(
      'no-header-separator',
      'no empty line ends the header fields (RFC 5322 §2.1); everything was read as headers and the body is empty',
    );
  }
  const { fields } = block;
  checkSingle(fields['content-type'], log);
  checkSingle(fields['content-transfer-encoding'], log);
  checkSingle(fields['content-disposition'], log);
  const typeField = fields['content-type'];
  const { contentType, params } = readContentType(typeField?.header.value, defaultType, log);
  const encodingValue = fields['content-transfer-encoding']?.header.value;
  const transferEncoding =
    encodingValue === undefined ? undefined : trimWsp(encodingValue).toLowerCase();
  const disposition = readDisposition(fields['content-disposition']?.header.value, log);
  const rawFilename = disposition.params['filename'] ?? params['name'];
  const filename = rawFilename === undefined ? undefined : decodeEncodedWords(rawFilename);

  const bodyStart = block.bodyStart;
  let children: MimeNode[] = [];
  let content: Buffer | undefined;
  const boundary = contentType.startsWith('multipart/') ? params['boundary'] : undefined;
  if (contentType.startsWith('multipart/') && (boundary === undefined || boundary === '')) {
    log.add(
      'missing-boundary',
      `${contentType} has ${boundary === undefined ? 'no' : 'an empty'} boundary parameter (RFC 2046 §5.1.1); its body was read as a single part`,
    );
    content = decodeLeaf(source, bodyStart, end, transferEncoding, log);
  } else if (boundary !== undefined) {
    checkContainerEncoding(contentType, transferEncoding, log, 'RFC 2045 §6.4');
    if (depth >= context.maxDepth) tooDeep(log, context);
    else {
      // Delimiters are matched against octets: undo the UTF-8 reading of the header, if any.
      const octets = typeField?.utf8 ? Buffer.from(boundary, 'utf8').toString('latin1') : boundary;
      const multipart = { path, depth, contentType, boundary: octets };
      children = splitMultipart(source, bodyStart, end, multipart, context, log);
    }
  } else if (contentType === 'message/rfc822' || contentType === 'message/global') {
    checkContainerEncoding(contentType, transferEncoding, log, 'RFC 2046 §5.2.1');
    if (depth >= context.maxDepth) tooDeep(log, context);
    else if (context.nodes >= context.maxParts) tooManyParts(log, context);
    else if (!context.stopped) {
      const inner = innerMessage(source, bodyStart, end, transferEncoding, log);
      const childAt = childPath(path, 1);
      children = [
        parseEntity(
          inner.source,
          inner.start,
          inner.end,
          childAt,
          depth + 1,
          'text/plain',
          context,
        ),
      ];
    }
  } else {
    content = decodeLeaf(source, bodyStart, end, transferEncoding, log);
  }

  return {
    path,
    headers: block.headers,
    contentType,
    params,
    ...(transferEncoding === undefined ? {} : { transferEncoding }),
    ...(disposition.type === undefined ? {} : { disposition: disposition.type }),
    dispositionParams: disposition.params,
    ...(filename === undefined ? {} : { filename }),
    size: end - bodyStart,
    ...(content === undefined ? {} : { content }),
    children,
    problems: log.list(),
  };
}

function tooDeep(log: ProblemLog, context: Context): void {
  log.add(
    'too-deep',
    `nesting deeper than ${context.maxDepth} levels; the parts inside this one were not read`,
  );
}

function tooManyParts(log: ProblemLog, context: Context): void {
  context.stopped = true;
  log.add(
    'too-many-parts',
    `more than ${context.maxParts} MIME parts; reading stopped here and the remaining parts were ignored`,
  );
}

function checkContainerEncoding(
  contentType: string,
  transferEncoding: string | undefined,
  log: ProblemLog,
  rule: string,
): void {
  if (transferEncoding === undefined || ['7bit', '8bit', 'binary'].includes(transferEncoding))
    return;
  const handling = contentType.startsWith('multipart/') ? 'ignored' : 'decoded anyway';
  log.add(
    'invalid-header',
    `Content-Transfer-Encoding ${excerpt(transferEncoding)} is not allowed on ${contentType} (${rule}); ${handling}`,
  );
}

interface Multipart {
  readonly path: string;
  readonly depth: number;
  readonly contentType: string;
  /** The boundary as octets (one char each), like the source text. */
  readonly boundary: string;
}

/**
 * The parts between delimiter lines (RFC 2046 §5.1.1); preamble and epilogue are skipped. A body
 * without a close delimiter keeps the parts found (Thunderbird's own test files end that way).
 */
function splitMultipart(
  source: Source,
  bodyStart: number,
  end: number,
  multipart: Multipart,
  context: Context,
  log: ProblemLog,
): MimeNode[] {
  const { path, depth, contentType } = multipart;
  // Searching a slice of exactly the body keeps every search from running past it.
  const body = source.text.slice(bodyStart, end);
  const dashBoundary = '--' + multipart.boundary;
  const shown = excerpt(multipart.boundary, 80);
  // RFC 2046 §5.1.5: in multipart/digest a part without Content-Type is a message/rfc822.
  const childDefault = contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  const children: MimeNode[] = [];
  let current = findDelimiter(body, 0, dashBoundary);
  if (current === undefined) {
    log.add(
      'unclosed-boundary',
      `no delimiter line "--" + ${shown} in the ${contentType} body; it has no parts`,
    );
    return children;
  }
  while (!current.close && !context.stopped) {
    const start = current.next;
    const next = findDelimiter(body, start, dashBoundary);
    if (next === undefined && start >= body.length) {
      // Unclosed, and nothing after the last delimiter line: no last part to speak of.
      log.add('unclosed-boundary', `${contentType} boundary ${shown} has no close delimiter`);
      break;
    }
    if (context.nodes >= context.maxParts) {
      tooManyParts(log, context);
      break;
    }
    const stop = next === undefined ? body.length : partEnd(body, start, next.lineStart);
    const at = childPath(path, children.length + 1);
    children.push(
      parseEntity(
        source,
        bodyStart + start,
        bodyStart + stop,
        at,
        depth + 1,
        childDefault,
        context,
      ),
    );
    if (next === undefined) {
      log.add(
        'unclosed-boundary',
        `${contentType} boundary ${shown} has no close delimiter; the last part runs to the end of the body`,
      );
      break;
    }
    current = next;
  }
  return children;
}

/** The octets of an encapsulated message: in place, or decoded when (illegally) encoded. */
function innerMessage(
  source: Source,
  start: number,
  end: number,
  transferEncoding: string | undefined,
  log: ProblemLog,
): { source: Source; start: number; end: number } {
  if (transferEncoding !== 'base64' && transferEncoding !== 'quoted-printable')
    return { source, start, end };
  const buf = decodeLeaf(source, start, end, transferEncoding, log);
  return { source: { text: buf.toString('latin1'), buf }, start: 0, end: buf.length };
}

/** The content of a leaf, transfer encoding undone (RFC 2045 §6), charset untouched. */
function decodeLeaf(
  source: Source,
  start: number,
  end: number,
  transferEncoding: string | undefined,
  log: ProblemLog,
): Buffer {
  const raw = source.buf.subarray(start, end);
  switch (transferEncoding) {
    case undefined:
    case '7bit':
      if (/[\x80-\xff]/.test(source.text.slice(start, end))) {
        log.add(
          'eight-bit-in-seven-bit',
          `8-bit octets in a body declared ${transferEncoding ?? '7bit by default'} (RFC 2045 §2.7, §6.2); clients guess how to read them`,
        );
      }
      return raw;
    case '8bit':
    case 'binary':
      return raw;
    case 'base64': {
      const decoded = decodeBase64(raw);
      for (const problem of decoded.problems) log.add('bad-base64', problem);
      return decoded.content;
    }
    case 'quoted-printable': {
      const decoded = decodeQuotedPrintable(raw);
      for (const problem of decoded.problems) log.add('bad-quoted-printable', problem);
      return decoded.content;
    }
    default:
      log.add(
        'unknown-transfer-encoding',
        `unknown Content-Transfer-Encoding ${excerpt(transferEncoding)} (RFC 2045 §6.1); the content is left as written`,
      );
      return raw;
  }
}
