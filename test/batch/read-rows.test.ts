/** Streaming JSONL/CSV rows for `smtp-invite batch`: rows, line numbers, and every read error. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import {
  detectRowsFormat,
  readRows,
  type RowsFormat,
  type SourceRow,
} from '../../src/batch/read-rows.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/batch/${name}`, import.meta.url));

/** A stream giving `text` in chunks of `size` bytes (so lines, CRLF and UTF-8 split anywhere). */
function chunked(text: string | Buffer, size = 3): Readable {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(
  text: string | Buffer,
  format: RowsFormat,
  options: { size?: number; maxRowBytes?: number } = {},
): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  const source = chunked(text, options.size);
  for await (const row of readRows(source, {
    format,
    name: `rows.${format}`,
    ...(options.maxRowBytes === undefined ? {} : { maxRowBytes: options.maxRowBytes }),
  })) {
    rows.push(row);
  }
  return rows;
}

/** The ERR_FILE_READ message reading `text` fails with. */
async function failure(
  text: string | Buffer,
  format: RowsFormat,
  options: { size?: number; maxRowBytes?: number } = {},
): Promise<string> {
  try {
    await collect(text, format, options);
  } catch (err) {
    expect(err).toBeInstanceOf(SmtpInviteError);
    expect((err as SmtpInviteError).code).toBe('ERR_FILE_READ');
    return (err as SmtpInviteError).message;
  }
  throw new Error('expected an error');
}

const records = (rows: SourceRow[]) => rows.map((r) => r.record);

describe('detectRowsFormat', () => {
  it('knows .jsonl, .ndjson and .csv (any case)', () => {
    expect(detectRowsFormat('rows.jsonl')).toBe('jsonl');
    expect(detectRowsFormat('dir/rows.NDJSON')).toBe('jsonl');
    expect(detectRowsFormat('Rows.CSV')).toBe('csv');
  });

  it('refuses anything else with ERR_USAGE naming the file and the accepted extensions', () => {
    for (const file of ['rows.json', 'rows', 'rows.tsv', 'csv']) {
      let caught: unknown;
      try {
        detectRowsFormat(file);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SmtpInviteError);
      expect((caught as SmtpInviteError).code).toBe('ERR_USAGE');
      expect((caught as SmtpInviteError).message).toContain(file);
      expect((caught as SmtpInviteError).message).toMatch(/\.jsonl.*\.ndjson.*\.csv/);
    }
  });
});

describe('readRows: the fixtures', () => {
  const expected = [
    {
      email: 'ada@example.net',
      name: 'Ada Lovelace',
      join_url: 'https://webinar.example.com/j/1001?pwd=a1',
    },
    {
      email: 'bob@example.net',
      name: 'Smith, Bob "Bobby"',
      join_url: 'https://webinar.example.com/j/1002?pwd=b2',
    },
    { email: 'carol@example.net', name: '', join_url: 'https://webinar.example.com/j/1003?pwd=c3' },
    {
      email: 'zoe@example.org',
      name: 'Zoë Ångström-Dvořák',
      join_url: 'https://webinar.example.com/j/1004?pwd=d4',
    },
    {
      email: 'li@example.org',
      name: '李雷',
      join_url: 'https://webinar.example.com/j/1005?pwd=e5',
    },
  ];

  it('reads rows.csv from its path: header names → string values, rows and lines counted', async () => {
    const rows: SourceRow[] = [];
    for await (const row of readRows(fixture('rows.csv'), { format: 'csv' })) rows.push(row);
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
      [5, 6],
    ]);
    expect(records(rows)).toEqual(expected);
    // Exactly { row, line, record }: what the batch flow recognises as a source row.
    expect(Object.keys(rows[0] ?? {})).toEqual(['row', 'line', 'record']);
  });

  it('reads rows.jsonl from its path, keeping JSON types (null stays null)', async () => {
    const rows: SourceRow[] = [];
    for await (const row of readRows(fixture('rows.jsonl'), { format: 'jsonl' })) rows.push(row);
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
    expect(records(rows)).toEqual(expected.map((r) => (r.name === '' ? { ...r, name: null } : r)));
  });

  it('gives the same rows however the bytes are chunked (even inside a UTF-8 character)', async () => {
    const csv = Buffer.from(
      'email,name,note\r\na@x.example,"Zoë, ""Z""","line one\r\nline two"\nb@x.example,李雷,\r\n',
    );
    const whole = await collect(csv, 'csv', { size: csv.length });
    for (const size of [1, 2, 3, 5, 7]) expect(await collect(csv, 'csv', { size })).toEqual(whole);
    expect(whole).toEqual([
      {
        row: 1,
        line: 2,
        record: { email: 'a@x.example', name: 'Zoë, "Z"', note: 'line one\r\nline two' },
      },
      { row: 2, line: 4, record: { email: 'b@x.example', name: '李雷', note: '' } },
    ]);
  });

  it('names a file it cannot read (ERR_FILE_READ from the iterator, not from readRows)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rows-'));
    const missing = join(dir, 'missing.csv');
    const rows = readRows(missing, { format: 'csv' });
    await expect(async () => {
      for await (const _ of rows) void _;
    }).rejects.toThrow(`${missing}: cannot read: no such file`);
    await expect(async () => {
      for await (const _ of readRows(dir, { format: 'jsonl', name: 'the-dir' })) void _;
    }).rejects.toThrow('the-dir: cannot read: is a directory');
  });

  it('closes the source when the caller stops early', async () => {
    for (const format of ['csv', 'jsonl'] as const) {
      let closed = false;
      let produced = 0;
      function* endless(): Generator<string> {
        try {
          if (format === 'csv') yield 'email\n';
          for (;;) {
            produced += 1;
            yield format === 'csv' ? `u${String(produced)}@x.example\n` : '{"n":1}\n';
          }
        } finally {
          closed = true;
        }
      }
      let seen = 0;
      for await (const _ of readRows(Readable.from(endless()), { format })) {
        seen += 1;
        if (seen === 5) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(closed).toBe(true);
      expect(produced).toBeLessThan(10_000);
    }
  });

  it('streams 200,000 generated rows (CSV and JSONL) from a generator-backed stream', async () => {
    const count = 200_000;
    for (const format of ['csv', 'jsonl'] as const) {
      function* generate(): Generator<string> {
        if (format === 'csv') yield 'email,name\r\n';
        for (let i = 1; i <= count; i++) {
          yield format === 'csv'
            ? `user${String(i)}@example.com,"User ${String(i)}"\r\n`
            : `{"email":"user${String(i)}@example.com","n":${String(i)}}\n`;
        }
      }
      let rows = 0;
      let last: SourceRow | undefined;
      for await (const row of readRows(Readable.from(generate()), { format })) {
        rows += 1;
        last = row;
      }
      expect(rows).toBe(count);
      expect(last?.row).toBe(count);
      expect(last?.line).toBe(format === 'csv' ? count + 1 : count);
    }
  }, 60_000);

  it('accepts string chunks (a stream with setEncoding)', async () => {
    const stream = Readable.from(['{"a":"é"}\n', '{"a":2}']);
    const rows: SourceRow[] = [];
    for await (const row of readRows(stream, { format: 'jsonl' })) rows.push(row);
    expect(records(rows)).toEqual([{ a: 'é' }, { a: 2 }]);
  });

  it('refuses a maxRowBytes that is not a positive whole number', () => {
    expect(() => readRows('x.csv', { format: 'csv', maxRowBytes: 0 })).toThrow(/maxRowBytes/);
  });
});

describe('readRows: JSONL', () => {
  it('skips blank and whitespace-only lines without counting them; accepts CRLF and a BOM', async () => {
    const rows = await collect('\uFEFF{"a":1}\r\n\r\n   \t\n{"b":2}\r\n\n{"c":3}', 'jsonl');
    expect(rows).toEqual([
      { row: 1, line: 1, record: { a: 1 } },
      { row: 2, line: 4, record: { b: 2 } },
      { row: 3, line: 6, record: { c: 3 } },
    ]);
  });

  it('reports invalid JSON with the line and the JSON parser message', async () => {
    let parserMessage = '';
    try {
      JSON.parse('{"a":}');
    } catch (err) {
      parserMessage = (err as Error).message;
    }
    expect(await failure('{"a":1}\n\n{"a":}\n', 'jsonl')).toBe(
      `rows.jsonl:3: not valid JSON: ${parserMessage}`,
    );
  });

  it('refuses a line that is not an object', async () => {
    expect(await failure('{"a":1}\n[1,2]\n', 'jsonl')).toBe(
      'rows.jsonl:2: each line must be a JSON object ({"email": …}), not an array',
    );
    expect(await failure('42\n', 'jsonl')).toMatch(/^rows\.jsonl:1: .*not a number$/);
    expect(await failure('null\n', 'jsonl')).toMatch(/^rows\.jsonl:1: .*not null$/);
    expect(await failure('"x"\n', 'jsonl')).toMatch(/not a string$/);
  });

  it('refuses a row longer than maxRowBytes, in one chunk or many', async () => {
    const long = `{"a":"${'x'.repeat(100)}"}`;
    for (const size of [1, 16, 1000]) {
      expect(await failure(`{"a":1}\n${long}\n`, 'jsonl', { size, maxRowBytes: 64 })).toBe(
        'rows.jsonl:2: the row is longer than the limit of 64 bytes',
      );
    }
    // Exactly at the limit is fine (CR and LF are not counted).
    const exact = `{"a":"${'x'.repeat(64 - 8)}"}`;
    expect(exact.length).toBe(64);
    expect(await collect(`${exact}\r\n`, 'jsonl', { maxRowBytes: 64, size: 1 })).toHaveLength(1);
  });

  it('stops reading an endless line at the limit (memory stays bounded)', async () => {
    let produced = 0;
    function* endless(): Generator<Buffer> {
      const chunk = Buffer.alloc(4096, 0x61);
      for (;;) {
        produced += 1;
        yield chunk;
      }
    }
    await expect(async () => {
      for await (const _ of readRows(Readable.from(endless()), {
        format: 'jsonl',
        maxRowBytes: 64 * 1024,
      })) {
        void _;
      }
    }).rejects.toThrow('input:1: the row is longer than the limit of 65536 bytes');
    expect(produced).toBeLessThan(40);
  });

  it('refuses bytes that are not UTF-8, naming the line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":1}\n{"a":"'),
      Buffer.from([0xe9]),
      Buffer.from('"}\n'),
    ]);
    expect(await failure(bytes, 'jsonl')).toBe(
      'rows.jsonl:2: not valid UTF-8 text: save the file as UTF-8',
    );
    expect(await failure(Buffer.from('\uFEFF{"a":1}\n', 'utf16le'), 'jsonl')).toBe(
      'rows.jsonl: the file is UTF-16: save it as UTF-8',
    );
  });

  it('yields the rows before a faulty line first', async () => {
    const seen: number[] = [];
    await expect(async () => {
      for await (const row of readRows(chunked('{"a":1}\n{"a":2}\n{oops\n', 1000), {
        format: 'jsonl',
      })) {
        seen.push(row.row);
      }
    }).rejects.toThrow(/^input:3: not valid JSON/);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps a "__proto__" key as data', async () => {
    const [row] = await collect('{"__proto__":{"polluted":true},"a":1}\n', 'jsonl');
    expect(Object.hasOwn(row?.record ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('readRows: CSV (RFC 4180)', () => {
  it('reads quoted fields with commas, "" escapes and line breaks; CRLF and LF mixed', async () => {
    const rows = await collect(
      'email,name,note\r\n' +
        'a@x.example,"Lovelace, Ada","said ""hi"""\r\n' +
        'b@x.example,Bob,"two\nlines"\n' +
        'c@x.example,"",plain\n',
      'csv',
    );
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        record: { email: 'a@x.example', name: 'Lovelace, Ada', note: 'said "hi"' },
      },
      { row: 2, line: 3, record: { email: 'b@x.example', name: 'Bob', note: 'two\nlines' } },
      { row: 3, line: 5, record: { email: 'c@x.example', name: '', note: 'plain' } },
    ]);
  });

  it('gives each row the line its record starts on, past blank lines and multi-line fields', async () => {
    const rows = await collect(
      '\uFEFFemail,note\n\na@x.example,"1\n2\n\n3"\n\r\n\nb@x.example,x\nc@x.example,"y"',
      'csv',
    );
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 3],
      [2, 9],
      [3, 10],
    ]);
    expect(rows[0]?.record).toEqual({ email: 'a@x.example', note: '1\n2\n\n3' });
  });

  it('counts lines across many empty lines', async () => {
    const rows = await collect(`email\n${'\r\n'.repeat(50_000)}a@x.example\n`, 'csv', {
      size: 4096,
    });
    expect(rows).toEqual([{ row: 1, line: 50_002, record: { email: 'a@x.example' } }]);
  });

  it('fills missing trailing fields with "" (fewer fields than the header is accepted)', async () => {
    const rows = await collect('email,name,note\na@x.example\nb@x.example,Bob\n', 'csv');
    expect(records(rows)).toEqual([
      { email: 'a@x.example', name: '', note: '' },
      { email: 'b@x.example', name: 'Bob', note: '' },
    ]);
  });

  it('keeps values exactly (no trimming, no type guessing); trims header names', async () => {
    const rows = await collect('email , count\t\n a@x.example , 007 \n', 'csv');
    expect(records(rows)).toEqual([{ email: ' a@x.example ', count: ' 007 ' }]);
  });

  it('refuses more fields than the header', async () => {
    expect(await failure('email,name\na@x.example,Lovelace, Ada\n', 'csv')).toBe(
      'rows.csv:2: row 1 has 3 fields but the header (line 1) names 2 columns: quote a value that contains a comma ("Smith, Bob")',
    );
  });

  it('refuses a missing, empty, duplicated or data-looking header', async () => {
    for (const empty of ['', '\r\n\n']) {
      expect(await failure(empty, 'csv')).toBe(
        'rows.csv: the file has no header line: the first line must name the columns (e.g. email,name,join_url)',
      );
    }
    expect(await failure('email,name,email\n', 'csv')).toBe(
      'rows.csv:1: the header names "email" twice (columns 1 and 3)',
    );
    expect(await failure('\nemail,,note\n', 'csv')).toBe(
      'rows.csv:2: column 2 of the header has no name',
    );
    expect(await failure('a@x.example,Ada\nb@x.example,Bob\n', 'csv')).toBe(
      'rows.csv:1: the first line must be the header naming the columns (e.g. email,name), but it holds "a@x.example"',
    );
  });

  it('accepts a header without rows (no rows)', async () => {
    expect(await collect('email,name\r\n', 'csv')).toEqual([]);
  });

  it('reports an unclosed quote at the end of the file on the line its row starts', async () => {
    expect(await failure('email,note\na@x.example,ok\nb@x.example,"never\nclosed\n', 'csv')).toBe(
      'rows.csv:3: a quoted field is never closed (a " is missing)',
    );
  });

  it('refuses a quote inside an unquoted field, and text after a closing quote', async () => {
    expect(await failure('email,name\na@x.example,Bob "B" Smith\n', 'csv')).toBe(
      'rows.csv:2: a " inside an unquoted field: quote the whole field and double the quote ("Bob ""B"" Smith")',
    );
    expect(await failure('email,name\n\na@x.example,"Bob" Smith\n', 'csv')).toBe(
      'rows.csv:3: a quoted field must end with " followed by a comma or the end of the line (write "" for a quote inside a quoted field)',
    );
  });

  it('refuses a row longer than maxRowBytes: one long line, or a record over many lines', async () => {
    expect(
      await failure(`email\na@x.example\n${'x'.repeat(100)}\n`, 'csv', { maxRowBytes: 64 }),
    ).toBe('rows.csv:3: the row is longer than the limit of 64 bytes');
    const manyLines = `email,note\na@x.example,"${'line\n'.repeat(40)}"\n`;
    expect(await failure(manyLines, 'csv', { maxRowBytes: 64 })).toBe(
      'rows.csv:2: the row is longer than the limit of 64 bytes (is a quoted field left open?)',
    );
  });

  it('refuses bytes that are not UTF-8 (a Latin-1 export), naming the line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('email,name\na@x.example,Ada\nb@x.example,Zo'),
      Buffer.from([0xeb]),
      Buffer.from('\n'),
    ]);
    expect(await failure(bytes, 'csv')).toBe(
      'rows.csv:3: not valid UTF-8 text: save the file as UTF-8',
    );
  });

  it('keeps "__proto__" and "constructor" columns as data', async () => {
    const [row] = await collect('__proto__,constructor\n1,2\n', 'csv');
    expect(Object.keys(row?.record ?? {})).toEqual(['__proto__', 'constructor']);
    expect(row?.record['constructor']).toBe('2');
    expect(Object.getPrototypeOf(row?.record)).toBe(Object.prototype);
  });

  it('reads a file from disk the same as a stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rows-'));
    const file = join(dir, 'r.csv');
    writeFileSync(file, 'email\r\na@x.example\r\n');
    const rows: SourceRow[] = [];
    for await (const row of readRows(file, { format: 'csv' })) rows.push(row);
    expect(rows).toEqual([{ row: 1, line: 2, record: { email: 'a@x.example' } }]);
  });
});
