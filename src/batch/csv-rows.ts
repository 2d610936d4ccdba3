/**
 * CSV rows for `smtp-invite batch` (RFC 4180: a header line naming the columns, then one record per
 * row; `,` between fields; a field in `"` may hold commas, CR/LF and `""` for a quote; CRLF or LF
 * line ends, mixed too). The only module that imports the CSV library (csv-parse); read-rows.ts
 * hands it the file's physical lines, already split, size-checked and UTF-8-checked, and this
 * module turns them into `{ row, line, record }` with record = header name → string value.
 *
 * Decisions (for the README's batch section):
 * - Header names are trimmed of spaces and tabs (`email, name` is `email` and `name`); a header name
 *   that is empty, appears twice, or looks like an email address (the header line is missing) is an
 *   error. Values are kept exactly as written (no trimming, no type guessing: everything is a string).
 * - A record with MORE fields than the header is an error (an unquoted comma shifted the values).
 *   A record with FEWER fields is accepted: the missing trailing fields are '' (some exporters and
 *   hand-written files leave trailing empty columns off), which a template treats like an empty cell.
 * - Empty lines are skipped (not counted as rows); a line of spaces is a row (of spaces).
 * - A quote inside an unquoted field (`Bob "B" Smith`) is an error, not guessed at.
 *
 * Memory stays flat: the parser is fed line by line through a stream with backpressure, and keeps
 * at most one record (bounded by maxRowBytes) besides what is in flight.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { SmtpInviteError } from '../errors.ts';
import type { SourceRow } from './read-rows.ts';

/** One physical line of the file, as read-rows.ts splits it. */
export interface CsvLine {
  /** 1-based line number. */
  readonly number: number;
  /** The line's bytes with its terminator (LF or CRLF; none on a last line without one). */
  readonly raw: Buffer;
  /** True when the line has nothing but its terminator. */
  readonly blank: boolean;
}

export interface CsvRowsOptions {
  /** The file name used in error messages. */
  readonly name: string;
  readonly maxRowBytes: number;
}

type Fail = (line: number | undefined, problem: string, cause?: unknown) => SmtpInviteError;

/** Where a line sits in the bytes given to the parser (to find the line a record starts on). */
interface LineSpan {
  readonly number: number;
  readonly end: number;
}

/** A first-in first-out queue with O(1) shift (an array's shift() is linear). */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Reads CSV records from the physical lines; errors are ERR_FILE_READ naming `<name>:<line>`. */
export async function* csvRows(
  lines: AsyncIterable<readonly CsvLine[]>,
  options: CsvRowsOptions,
): AsyncGenerator<SourceRow> {
  const { name, maxRowBytes } = options;
  const fail: Fail = (line, problem, cause) =>
    new SmtpInviteError(
      'ERR_FILE_READ',
      line === undefined ? `${name}: ${problem}` : `${name}:${String(line)}: ${problem}`,
      cause === undefined ? {} : { cause },
    );

  // Non-empty lines given to the parser and not yet behind the last record it produced (empty
  // lines never start a record: leaving them out keeps a file of empty lines from filling this).
  const spans = new Queue<LineSpan>();
  // The start line of each record produced and not yet taken by the loop below (same order).
  const recordLines = new Queue<number>();
  let fed = 0;
  let lastRecordEnd = 0;
  /** The line the record after `lastRecordEnd` starts on: the next non-empty line. */
  const currentRecordLine = (): number | undefined => {
    for (let span = spans.peek(); span !== undefined; span = spans.peek()) {
      if (span.end > lastRecordEnd) return span.number;
      spans.shift();
    }
    return undefined;
  };

  // The parser gets the lines of each chunk as one buffer (a copy: the parser may keep part of it).
  async function* feed(): AsyncGenerator<Buffer> {
    for await (const batch of lines) {
      for (const line of batch) {
        fed += line.raw.length;
        if (!line.blank) spans.push({ number: line.number, end: fed });
      }
      yield Buffer.concat(batch.map((line) => line.raw));
    }
  }

  const parser = parse({
    bom: false, // read-rows.ts removes a BOM
    delimiter: ',',
    quote: '"',
    escape: '"',
    record_delimiter: ['\r\n', '\n'],
    encoding: 'utf8',
    skip_empty_lines: true,
    relax_column_count: true, // field counts are checked below, with our message
    max_record_size: maxRowBytes,
    on_record: (record, info) => {
      // Called synchronously as the parser completes a record: info.bytes is where it ends.
      recordLines.push(currentRecordLine() ?? 0);
      lastRecordEnd = info.bytes;
      return record;
    },
  });
  const source = Readable.from(feed(), { objectMode: false });
  // Failures surface through the iteration below; this only keeps the promise from going unhandled.
  const done = pipeline(source, parser).catch(() => undefined);

  let header: string[] | undefined;
  let headerLine = 0;
  let row = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const line = recordLines.shift() ?? 0;
      if (header === undefined) {
        header = checkHeader(fields, line, fail);
        headerLine = line;
        continue;
      }
      row += 1;
      if (fields.length > header.length) {
        throw fail(
          line,
          `row ${String(row)} has ${String(fields.length)} fields but the header (line ${String(headerLine)}) names ${String(header.length)} columns: quote a value that contains a comma ("Smith, Bob")`,
        );
      }
      // Fewer fields than the header: the missing trailing ones are '' (see the module comment).
      const record = Object.fromEntries(header.map((column, i) => [column, fields[i] ?? '']));
      yield { row, line, record };
    }
  } catch (err) {
    if (err instanceof SmtpInviteError) throw err;
    throw translate(err, currentRecordLine(), maxRowBytes, fail);
  } finally {
    parser.destroy();
    source.destroy();
    await done;
  }
  if (header === undefined) {
    throw fail(
      undefined,
      'the file has no header line: the first line must name the columns (e.g. email,name,join_url)',
    );
  }
}

function checkHeader(fields: readonly string[], line: number, fail: Fail): string[] {
  const names = fields.map((f) => f.replace(/^[ \t]+|[ \t]+$/g, ''));
  const seen = new Map<string, number>();
  for (const [i, column] of names.entries()) {
    if (column === '') {
      throw fail(line, `column ${String(i + 1)} of the header has no name`);
    }
    if (column.includes('@')) {
      throw fail(
        line,
        `the first line must be the header naming the columns (e.g. email,name), but it holds ${JSON.stringify(column)}`,
      );
    }
    const before = seen.get(column);
    if (before !== undefined) {
      throw fail(
        line,
        `the header names ${JSON.stringify(column)} twice (columns ${String(before + 1)} and ${String(i + 1)})`,
      );
    }
    seen.set(column, i);
  }
  return names;
}

/** csv-parse's errors in our words, naming the line the faulty record starts on. */
function translate(
  err: unknown,
  line: number | undefined,
  maxRowBytes: number,
  fail: Fail,
): SmtpInviteError {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  let problem: string;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      problem = 'a quoted field is never closed (a " is missing)';
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
      problem =
        'a quoted field must end with " followed by a comma or the end of the line (write "" for a quote inside a quoted field)';
      break;
    case 'INVALID_OPENING_QUOTE':
      problem =
        'a " inside an unquoted field: quote the whole field and double the quote ("Bob ""B"" Smith")';
      break;
    case 'CSV_MAX_RECORD_SIZE':
      problem = `the row is longer than the limit of ${String(maxRowBytes)} bytes (is a quoted field left open?)`;
      break;
    default:
      problem = `not valid CSV: ${message}`;
  }
  return fail(line, problem, err);
}
