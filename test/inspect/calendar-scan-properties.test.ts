/**
 * Properties of the calendar scanner: any string or byte sequence scans without throwing and with
 * consistent line numbers; any well-formed calendar, folded at arbitrary octets (inside UTF-8
 * sequences too), scans back to exactly its model with no problems; and 20 MB inputs stay linear.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  CalendarScan,
  Component,
  ContentLine,
  Param,
  ParamValue,
} from '../../src/inspect/calendar-model.ts';
import { MAX_PROBLEMS_PER_CODE, scanCalendar } from '../../src/inspect/scan-calendar.ts';

/** Physical line count by the plain definition: CRLF, LF and CR each end a line. */
function countLines(text: string): number {
  if (text === '') return 0;
  const breaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
  return /[\r\n]$/.test(text) ? breaks : breaks + 1;
}

function expectConsistent(scan: CalendarScan, lines: number): void {
  expect(scan.lines).toBe(lines);
  const walk = (component: Component): void => {
    expect(component.line).toBeGreaterThanOrEqual(1);
    expect(component.line).toBeLessThanOrEqual(lines);
    for (const property of component.properties) {
      expect(property.line).toBeGreaterThanOrEqual(component.line);
      expect(property.line).toBeLessThanOrEqual(lines);
    }
    component.components.forEach(walk);
  };
  scan.components.forEach(walk);
  const perCode = new Map<string, number>();
  for (const problem of scan.problems) {
    expect(problem.line).toBeGreaterThanOrEqual(0);
    expect(problem.line).toBeLessThanOrEqual(lines);
    perCode.set(problem.code, (perCode.get(problem.code) ?? 0) + 1);
  }
  for (const count of perCode.values())
    expect(count).toBeLessThanOrEqual(MAX_PROBLEMS_PER_CODE + 1);
}

const PIECES = [
  '\r\n',
  '\n',
  '\r',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '"',
  '=',
  '^',
  '\\',
  '.',
  '\u0000',
  '\u007f',
  '\ufeff',
  'é',
  '🎉',
  'BEGIN:',
  'END:',
  'VCALENDAR',
  'VEVENT',
  'ATTENDEE;CN=',
  'X-A',
];
const calendarish = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 200,
});

describe('scanCalendar on arbitrary input', () => {
  it('never throws on strings and keeps line numbers consistent', () => {
    fc.assert(
      fc.property(calendarish, (text) => {
        const scan = scanCalendar(text);
        expectConsistent(scan, countLines(text.startsWith('\ufeff') ? text.slice(1) : text));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on bytes, valid UTF-8 or not', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      calendarish.map((s) => Buffer.from(s)),
      // Calendar-like text with bytes flipped: invalid sequences next to folds.
      fc
        .tuple(calendarish, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff }))))
        .map(([s, flips]) => {
          const b = Buffer.from(s);
          for (const [at, value] of flips) if (b.length > 0) b[at % b.length] = value;
          return b;
        }),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        const buffer = Buffer.from(input);
        const scan = scanCalendar(buffer);
        const bom = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
        // Line breaks are ASCII, so decoding cannot move them: count on a latin1 view.
        expectConsistent(scan, countLines(buffer.subarray(bom).toString('latin1')));
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip: model → folded bytes → scan → the same model.

const nonControl = (s: string): boolean => !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(s);
// Characters with a meaning somewhere in a content line, mixed with anything else.
const textUnit = fc.oneof(
  fc.constantFrom('^', "'", 'n', '\n', '"', ';', ':', ',', '=', '\\', ' ', '\t', 'é', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const someText = (maxLength: number) => fc.string({ unit: textUnit, maxLength });
const anyText = someText(40).filter(nonControl);
const propertyName = fc.oneof(
  fc.constantFrom('SUMMARY', 'ATTENDEE', 'DTSTART', 'DESCRIPTION', 'X-ALT-DESC', 'UID'),
  fc.stringMatching(/^X-[A-Z0-9-]{1,8}$/),
);
const paramValue: fc.Arbitrary<ParamValue> = fc.oneof(
  // Quoted: anything but control characters; newline and `"` travel as RFC 6868 escapes.
  fc.record({
    value: someText(20).filter((s) => nonControl(s.replace(/\n/g, ''))),
    quoted: fc.constant(true),
  }),
  fc.record({
    value: someText(20).filter((s) => nonControl(s) && !/[";:,]/.test(s)),
    quoted: fc.constant(false),
  }),
);
const param: fc.Arbitrary<Param> = fc.record({
  name: fc.oneof(
    fc.constantFrom('CN', 'ROLE', 'TZID', 'MEMBER'),
    fc.stringMatching(/^X-[A-Z]{1,6}$/),
  ),
  values: fc.array(paramValue, { minLength: 1, maxLength: 3 }),
});
interface Model {
  name: string;
  properties: { name: string; params: Param[]; value: string }[];
  components: Model[];
}
const property = fc.record({
  name: propertyName,
  params: fc.array(param, { maxLength: 3 }),
  value: anyText,
});
const { calendar } = fc.letrec<{ calendar: Model; child: Model }>((tie) => ({
  calendar: fc.record({
    name: fc.constant('VCALENDAR'),
    properties: fc.array(property, { maxLength: 4 }),
    components: fc.array(tie('child'), { maxLength: 3 }),
  }),
  child: fc.record({
    name: fc.constantFrom('VEVENT', 'VTODO', 'VALARM', 'X-THING'),
    properties: fc.array(property, { maxLength: 4 }),
    components: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant<Model[]>([]),
      fc.array(tie('child'), { maxLength: 2 }),
    ),
  }),
}));

const encodeParamValue = (v: ParamValue): string => {
  const encoded = v.value.replace(/\^/g, '^^').replace(/\n/g, '^n').replace(/"/g, "^'");
  return v.quoted ? `"${encoded}"` : encoded;
};

/**
 * Writes the model with the given line break, folding each content line at the octet widths taken
 * in turn from `widths` (1-75 for the first physical line, 4-74 after the leading space: at least
 * four so that one fold splits a character at most once).
 */
function serialise(
  model: Model,
  widths: readonly number[],
  lineBreak: string,
): { bytes: Buffer; expected: Component } {
  const chunks: Buffer[] = [];
  let line = 0;
  let w = 0;
  const nextWidth = (min: number, max: number): number => {
    const raw = widths[w++ % widths.length] ?? max;
    return min + (raw % (max - min + 1));
  };
  const write = (text: string): number => {
    const bytes = Buffer.from(text, 'utf8');
    const start = line + 1;
    let at = nextWidth(1, 75);
    chunks.push(bytes.subarray(0, at), Buffer.from(lineBreak));
    line++;
    while (at < bytes.length) {
      const width = nextWidth(4, 74);
      chunks.push(
        Buffer.from(w % 2 === 0 ? ' ' : '\t'),
        bytes.subarray(at, at + width),
        Buffer.from(lineBreak),
      );
      at += width;
      line++;
    }
    return start;
  };
  const emit = (component: Model): Component => {
    const begin = write(`BEGIN:${component.name}`);
    const properties: ContentLine[] = component.properties.map((p) => {
      const params = p.params.map((q) => `;${q.name}=${q.values.map(encodeParamValue).join(',')}`);
      const start = write(`${p.name}${params.join('')}:${p.value}`);
      return { name: p.name, params: p.params, value: p.value, line: start };
    });
    const components = component.components.map(emit);
    write(`END:${component.name}`);
    return { name: component.name, line: begin, properties, components };
  };
  const expected = emit(model);
  return { bytes: Buffer.concat(chunks), expected };
}

describe('scanCalendar round trip', () => {
  const widths = fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 20 });

  it('scans any folded calendar back to its model with no problems', () => {
    fc.assert(
      fc.property(calendar, widths, (model, w) => {
        const { bytes, expected } = serialise(model, w, '\r\n');
        const scan = scanCalendar(bytes);
        expect(scan.problems).toEqual([]);
        expect(scan.components).toEqual([expected]);
      }),
      { numRuns: 500 },
    );
  });

  it('with LF line breaks: the same model and a single bare-lf problem', () => {
    fc.assert(
      fc.property(calendar, widths, (model, w) => {
        const { bytes, expected } = serialise(model, w, '\n');
        const scan = scanCalendar(bytes);
        expect(scan.problems.map((p) => [p.code, p.line])).toEqual([['bare-lf', 1]]);
        expect(scan.components).toEqual([expected]);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Linear time. Measured here at roughly 0.1-1.2 s each for 20 MB; the budget only has to catch a
// quadratic slip, which would take minutes at this size, so it leaves room for a loaded machine.

const MB20 = 20 * 1024 * 1024;
const BUDGET_MS = 5000;
const HEAD = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n';
const TAIL = 'END:VEVENT\r\nEND:VCALENDAR\r\n';

function timed(input: Buffer | string): { scan: CalendarScan; ms: number } {
  const started = performance.now();
  const scan = scanCalendar(input);
  return { scan, ms: performance.now() - started };
}

describe('scanCalendar stays linear on 20 MB inputs', () => {
  it('long unfolded lines', () => {
    const line = `DESCRIPTION:${'x'.repeat(100_000)}\r\n`;
    const { scan, ms } = timed(
      Buffer.from(HEAD + line.repeat(Math.ceil(MB20 / line.length)) + TAIL),
    );
    expect(scan.problems.map((p) => p.code)).toEqual(['line-too-long']);
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('many tiny lines', () => {
    const count = Math.ceil(MB20 / 7);
    const { scan, ms } = timed(Buffer.from(HEAD + 'X-A:1\r\n'.repeat(count) + TAIL));
    expect(scan.problems).toEqual([]);
    expect(scan.components[0]?.components[0]?.properties).toHaveLength(count);
    expect(ms).toBeLessThan(BUDGET_MS);
  });

  it('one huge folded line, as bytes with a split character and as a string', () => {
    const body = `${'y'.repeat(72)}é\r\n `.repeat(Math.ceil(MB20 / 77));
    const text = `${HEAD}DESCRIPTION:${body}end\r\n${TAIL}`;
    const bytes = Buffer.from(text);
    // Split the first "é" (C3 A9) across its fold: the slow byte path.
    const at = bytes.indexOf(Buffer.from('é\r\n '));
    bytes.set([0xc3, 0x0d, 0x0a, 0x20, 0xa9], at);
    for (const input of [bytes, text]) {
      const { scan, ms } = timed(input);
      expect(scan.problems.map((p) => p.code)).toEqual(['line-too-long']);
      const value = scan.components[0]?.components[0]?.properties[0]?.value ?? '';
      expect(value.startsWith(`${'y'.repeat(72)}é${'y'.repeat(72)}é`)).toBe(true);
      expect(value.endsWith('éend')).toBe(true);
      expect(ms).toBeLessThan(BUDGET_MS);
    }
  });

  it('hostile shapes: junk lines, blank lines, endless nesting, unmatched ENDs, an open quote', () => {
    const inputs = [
      HEAD + 'x\r\n'.repeat(MB20 / 3) + TAIL,
      HEAD + '\n'.repeat(MB20) + TAIL,
      'BEGIN:A\r\n'.repeat(MB20 / 9),
      'END:A\r\n'.repeat(MB20 / 7),
      `${HEAD}X;P="${'a'.repeat(MB20)}`,
      'A'.repeat(MB20),
    ];
    for (const input of inputs) {
      const { scan, ms } = timed(Buffer.from(input));
      expect(scan.problems.length).toBeLessThan(100);
      expect(ms).toBeLessThan(BUDGET_MS);
    }
  });
});
