/**
 * Streaming readers for the rows of `smtp-invite batch`: JSONL (one JSON object per line) and CSV
 * (csv-rows.ts). Memory stays flat whatever the number of rows: the file is read chunk by chunk,
 * split into lines here, and rows are produced one at a time as the caller asks for them.
 *
 * Every failure is an SmtpInviteError ERR_FILE_READ thrown from the iterator, naming `<name>:<line>`
 * and the problem: an unreadable file, bytes that are not UTF-8, a line longer than maxRowBytes,
 * invalid JSON, a JSONL line that is not an object, and the CSV problems of csv-rows.ts.
 * A UTF-8 byte order mark at the start is skipped; CRLF and LF line ends are both accepted.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { csvRows } from './csv-rows.ts';

export type RowsFormat = 'jsonl' | 'csv';

export interface SourceRow {
  /** 1-based data row (the CSV header is not counted; blank JSONL lines are skipped, not counted). */
  readonly row: number;
  /** 1-based source line where the row starts (CSV: the record's first line). */
  readonly line: number;
  /** JSONL: the parsed object; CSV: header name → string value. */
  readonly record: Readonly<Record<string, unknown>>;
}

export interface ReadRowsOptions {
  readonly format: RowsFormat;
  /** Longest accepted row (a line; a CSV record spanning lines), in bytes. Default 1 MiB. */
  readonly maxRowBytes?: number;
  /** Name used in error messages; defaults to the path, or `input` for a stream. */
  readonly name?: string;
}

export const DEFAULT_MAX_ROW_BYTES = 1024 * 1024;

const FORMATS: Readonly<Record<string, RowsFormat>> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
};

/** The format a rows file's extension names (`.jsonl`/`.ndjson`, `.csv`); else ERR_USAGE. */
export function detectRowsFormat(file: string): RowsFormat {
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined) {
    throw new SmtpInviteError(
      'ERR_USAGE',
      `${file}: cannot tell the rows format from the file name: use a .jsonl (or .ndjson) or a .csv file`,
    );
  }
  return format;
}

/**
 * The rows of a file (a path) or a stream, one at a time. Reading starts when iteration does, and
 * stops (closing the file) when the caller stops iterating.
 */
export function readRows(
  source: string | NodeJS.ReadableStream,
  options: ReadRowsOptions,
): AsyncIterable<SourceRow> {
  const name = options.name ?? (typeof source === 'string' ? source : 'input');
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  if (!Number.isSafeInteger(maxRowBytes) || maxRowBytes < 1) {
    throw new SmtpInviteError(
      'ERR_USAGE',
      `maxRowBytes must be a positive whole number, got ${String(maxRowBytes)}`,
    );
  }
  return {
    [Symbol.asyncIterator]: () => {
      const chunks: AsyncIterable<Buffer | Uint8Array | string> =
        typeof source === 'string' ? createReadStream(source) : source;
      const lines = splitLines(chunks, name, maxRowBytes);
      const rows =
        options.format === 'csv'
          ? csvRows(lines, { name, maxRowBytes })
          : jsonlRows(lines, fileError(name));
      return rows[Symbol.asyncIterator]();
    },
  };
}

type Fail = (line: number | undefined, problem: string, cause?: unknown) => SmtpInviteError;

function fileError(name: string): Fail {
  return (line, problem, cause) =>
    new SmtpInviteError(
      'ERR_FILE_READ',
      line === undefined ? `${name}: ${problem}` : `${name}:${String(line)}: ${problem}`,
      cause === undefined ? {} : { cause },
    );
}

interface Line {
  /** 1-based line number. */
  readonly number: number;
  /** The bytes with the terminator (LF or CRLF; none on a last line without one). */
  readonly raw: Buffer;
  /** The bytes without the terminator. */
  readonly content: Buffer;
  /** True when `content` is empty. */
  readonly blank: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines at LF (a CR before it belongs to the terminator), yielding the
 * complete lines of each chunk together. Each line is checked against maxRowBytes while it is
 * being read (a huge line never sits in memory whole) and must be UTF-8. A UTF-8 byte order mark
 * before the first line is dropped. The lines before a faulty one are yielded before the error.
 */
async function* splitLines(
  chunks: AsyncIterable<Buffer | Uint8Array | string>,
  name: string,
  maxRowBytes: number,
): AsyncGenerator<readonly Line[]> {
  const fail = fileError(name);
  let number = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const makeLine = (bytes: Buffer): Line => {
    number += 1;
    let raw = bytes;
    if (number === 1) {
      if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) raw = raw.subarray(3);
      else if ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff)) {
        throw fail(undefined, 'the file is UTF-16: save it as UTF-8');
      }
    }
    let end = raw.length;
    if (end > 0 && raw[end - 1] === LF) end -= 1;
    if (end > 0 && raw[end - 1] === CR) end -= 1;
    const content = raw.subarray(0, end);
    if (content.length > maxRowBytes) throw tooLong(number);
    if (!isUtf8(content)) throw fail(number, 'not valid UTF-8 text: save the file as UTF-8');
    return { number, raw, content, blank: end === 0 };
  };
  const tooLong = (line: number) =>
    fail(line, `the row is longer than the limit of ${String(maxRowBytes)} bytes`);

  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Buffer | Uint8Array | string>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw fail(undefined, `cannot read: ${describeReadError(err)}`, err);
      }
      if (next.done === true) break;
      const buf = toBuffer(next.value);
      const lines: Line[] = [];
      let failure: SmtpInviteError | undefined;
      try {
        let pos = 0;
        while (pos < buf.length) {
          const lf = buf.indexOf(LF, pos);
          if (lf === -1) {
            // An unfinished line: keep a copy (the source may reuse its buffer), within the limit
            // (+1 for a CR that may still come before the LF, +3 for a BOM on the first line).
            const rest = Buffer.from(buf.subarray(pos));
            pendingBytes += rest.length;
            if (pendingBytes > maxRowBytes + 4) throw tooLong(number + 1);
            pending.push(rest);
            break;
          }
          let bytes = buf.subarray(pos, lf + 1);
          if (pending.length > 0) {
            bytes = Buffer.concat([...pending, bytes]);
            pending = [];
            pendingBytes = 0;
          }
          pos = lf + 1;
          lines.push(makeLine(bytes));
        }
      } catch (err) {
        failure = err instanceof SmtpInviteError ? err : fail(number, String(err), err);
      }
      // The lines are used before the next read, so they may share the chunk's memory.
      if (lines.length > 0) yield lines;
      if (failure !== undefined) throw failure;
    }
    if (pendingBytes > 0) yield [makeLine(Buffer.concat(pending))];
  } finally {
    // Stop reading (closes the file) when the caller stops early or something failed.
    try {
      await iterator.return?.();
    } catch {
      // Already failing or finished: the first problem is the one to report.
    }
  }
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    (code === undefined ? undefined : READ_ERRORS[code]) ??
    (err instanceof Error ? err.message : String(err))
  );
}

/** One JSON object per line; blank (or whitespace-only) lines are skipped and not counted. */
async function* jsonlRows(
  batches: AsyncIterable<readonly Line[]>,
  fail: Fail,
): AsyncGenerator<SourceRow> {
  let row = 0;
  for await (const lines of batches) {
    for (const line of lines) {
      if (line.blank) continue;
      const text = line.content.toString('utf8');
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw fail(
          line.number,
          `not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
          err,
        );
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw fail(
          line.number,
          `each line must be a JSON object ({"email": …}), not ${describeJson(value)}`,
        );
      }
      row += 1;
      yield { row, line: line.number, record: value as Record<string, unknown> };
    }
  }
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
