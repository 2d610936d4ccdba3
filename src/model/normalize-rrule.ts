/**
 * RRULE (RFC 5545 §3.3.10) from a string or an object, validated part by part and written back in one
 * canonical order. We never pass a user's RRULE text through: ical-generator writes RRULE strings
 * verbatim, so a CR/LF or `:` in them would become a new property.
 */
import type { DateTime } from 'luxon';
import { error, joinPath, type Diagnostic } from '../diagnostics.ts';
import { FREQUENCIES, type Frequency } from './invite.ts';
import { parseDate, parseDateTime } from './parse-time.ts';
import { tableZone } from './table-zone.ts';

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

interface RuleParts {
  freq?: Frequency;
  until?: string;
  count?: number;
  interval?: number;
  bySecond?: number[];
  byMinute?: number[];
  byHour?: number[];
  byDay?: string[];
  byMonthDay?: number[];
  byYearDay?: number[];
  byWeekNo?: number[];
  byMonth?: number[];
  bySetPos?: number[];
  weekStart?: string;
}

type ListKey =
  | 'bySecond'
  | 'byMinute'
  | 'byHour'
  | 'byMonthDay'
  | 'byYearDay'
  | 'byWeekNo'
  | 'byMonth'
  | 'bySetPos';

/** RFC name, object key and allowed range of every numeric list part. */
const NUMBER_LISTS: readonly {
  rfc: string;
  key: ListKey;
  min: number;
  max: number;
  signed: boolean;
}[] = [
  { rfc: 'BYSECOND', key: 'bySecond', min: 0, max: 60, signed: false },
  { rfc: 'BYMINUTE', key: 'byMinute', min: 0, max: 59, signed: false },
  { rfc: 'BYHOUR', key: 'byHour', min: 0, max: 23, signed: false },
  { rfc: 'BYMONTHDAY', key: 'byMonthDay', min: 1, max: 31, signed: true },
  { rfc: 'BYYEARDAY', key: 'byYearDay', min: 1, max: 366, signed: true },
  { rfc: 'BYWEEKNO', key: 'byWeekNo', min: 1, max: 53, signed: true },
  { rfc: 'BYMONTH', key: 'byMonth', min: 1, max: 12, signed: false },
  { rfc: 'BYSETPOS', key: 'bySetPos', min: 1, max: 366, signed: true },
];

export interface RruleContext {
  /** Event zone for wall-clock UNTIL values; null = UTC. */
  readonly zone: string | null;
  readonly allDay: boolean;
  readonly start: DateTime;
}

export interface NormalizedRrule {
  readonly value: string;
  /** UNTIL as an instant (timed) or date (all-day), when present. */
  readonly until?: DateTime;
  readonly count?: number;
}

export function normalizeRrule(
  input: unknown,
  path: string,
  context: RruleContext,
  diagnostics: Diagnostic[],
): NormalizedRrule | undefined {
  const before = diagnostics.length;
  let parts: RuleParts | undefined;
  let untilRaw: { value: string; path: string } | undefined;
  if (typeof input === 'string') {
    ({ parts, untilRaw } = partsFromString(input, path, diagnostics));
  } else if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    ({ parts, untilRaw } = partsFromObject(input as Record<string, unknown>, path, diagnostics));
  } else {
    diagnostics.push(
      error(
        'wrong-type',
        path,
        'must be an RRULE string like "FREQ=WEEKLY;BYDAY=TU;COUNT=10" or an object with freq, interval, count, until, byDay…',
      ),
    );
    return undefined;
  }
  if (parts === undefined) return undefined;
  let until: DateTime | undefined;
  if (untilRaw !== undefined) {
    until = parseUntil(untilRaw.value, untilRaw.path, context, diagnostics);
    if (until !== undefined) {
      parts.until = context.allDay
        ? until.toFormat('yyyyLLdd')
        : until.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'");
      if (until < context.start.startOf(context.allDay ? 'day' : 'second')) {
        diagnostics.push(
          error(
            'invalid-rrule',
            untilRaw.path,
            'UNTIL is before the start: the event would have no occurrence',
          ),
        );
      }
    }
  }
  checkCombinations(parts, path, diagnostics);
  if (diagnostics.length > before) return undefined;
  return {
    value: serialize(parts),
    ...(until === undefined ? {} : { until }),
    ...(parts.count === undefined ? {} : { count: parts.count }),
  };
}

function partsFromString(
  text: string,
  path: string,
  diagnostics: Diagnostic[],
): { parts?: RuleParts; untilRaw?: { value: string; path: string } } {
  // Accept a pasted "RRULE:" prefix; anything else that is not NAME=VALUE;… is refused.
  const body = text.trim().replace(/^RRULE:/i, '');
  if (body === '' || /[\u0000-\u001f\u007f]/.test(body)) {
    diagnostics.push(
      error(
        'invalid-rrule',
        path,
        body === '' ? 'is empty' : 'contains control characters or line breaks',
      ),
    );
    return {};
  }
  const parts: RuleParts = {};
  const seen = new Set<string>();
  let untilRaw: { value: string; path: string } | undefined;
  for (const item of body.split(';')) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (eq < 0 || value === '') {
      diagnostics.push(error('invalid-rrule', path, `"${item}" is not NAME=VALUE`));
      continue;
    }
    if (seen.has(name)) {
      diagnostics.push(error('invalid-rrule', path, `${name} appears twice`));
      continue;
    }
    seen.add(name);
    const where = `${path} (${name})`;
    switch (name) {
      case 'FREQ':
        setFreq(parts, value, where, diagnostics);
        break;
      case 'UNTIL':
        untilRaw = { value, path: where };
        break;
      case 'COUNT':
      case 'INTERVAL': {
        const n = toInteger(value);
        if (n === undefined || n < 1)
          diagnostics.push(
            error('invalid-rrule', where, `must be a positive integer, not "${value}"`),
          );
        else if (name === 'COUNT') parts.count = n;
        else parts.interval = n;
        break;
      }
      case 'BYDAY':
        setByDay(
          parts,
          value.split(','),
          (i) => where + (i === undefined ? '' : ` item ${i + 1}`),
          diagnostics,
        );
        break;
      case 'WKST':
        setWeekStart(parts, value, where, diagnostics);
        break;
      default: {
        const spec = NUMBER_LISTS.find((s) => s.rfc === name);
        if (spec === undefined) {
          diagnostics.push(error('invalid-rrule', path, `unknown rule part "${name}"`));
          break;
        }
        const values: number[] = [];
        for (const raw of value.split(',')) {
          const n = toInteger(raw.replace(/^\+/, ''));
          if (n === undefined || !inRange(n, spec)) {
            diagnostics.push(
              error('invalid-rrule', where, `"${raw}" is out of range (${rangeText(spec)})`),
            );
          } else values.push(n);
        }
        parts[spec.key] = values;
      }
    }
  }
  if (parts.freq === undefined && !seen.has('FREQ'))
    diagnostics.push(error('invalid-rrule', path, 'FREQ is required (e.g. FREQ=WEEKLY)'));
  return untilRaw === undefined ? { parts } : { parts, untilRaw };
}

const OBJECT_KEYS = new Set([
  'freq',
  'interval',
  'count',
  'until',
  'byDay',
  'weekStart',
  ...NUMBER_LISTS.map((s) => s.key),
]);

function partsFromObject(
  input: Record<string, unknown>,
  path: string,
  diagnostics: Diagnostic[],
): { parts?: RuleParts; untilRaw?: { value: string; path: string } } {
  const parts: RuleParts = {};
  let untilRaw: { value: string; path: string } | undefined;
  for (const key of Object.keys(input)) {
    if (!OBJECT_KEYS.has(key)) {
      diagnostics.push(
        error(
          'unknown-field',
          joinPath(path, key),
          `unknown rule part; known: ${[...OBJECT_KEYS].join(', ')}`,
        ),
      );
    }
  }
  const at = (key: string) => joinPath(path, key);
  if (input['freq'] === undefined)
    diagnostics.push(error('required', at('freq'), 'is required (e.g. "weekly")'));
  else if (typeof input['freq'] !== 'string')
    diagnostics.push(error('wrong-type', at('freq'), 'must be a string'));
  else setFreq(parts, input['freq'], at('freq'), diagnostics);
  for (const key of ['interval', 'count'] as const) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      diagnostics.push(error('invalid-rrule', at(key), 'must be a positive integer'));
    else parts[key] = v;
  }
  const until = input['until'];
  if (until !== undefined) {
    if (typeof until === 'string') untilRaw = { value: until, path: at('until') };
    else
      diagnostics.push(
        error('wrong-type', at('until'), 'must be a string in the same form as start'),
      );
  }
  const byDay = input['byDay'];
  if (byDay !== undefined) {
    if (!Array.isArray(byDay) || !byDay.every((d) => typeof d === 'string')) {
      diagnostics.push(
        error(
          'wrong-type',
          at('byDay'),
          'must be an array of weekdays like ["MO", "WE"] or ["-1FR"]',
        ),
      );
    } else
      setByDay(
        parts,
        byDay,
        (i) => (i === undefined ? at('byDay') : joinPath(at('byDay'), i)),
        diagnostics,
      );
  }
  const weekStart = input['weekStart'];
  if (weekStart !== undefined) {
    if (typeof weekStart !== 'string')
      diagnostics.push(error('wrong-type', at('weekStart'), 'must be a weekday like "MO"'));
    else setWeekStart(parts, weekStart, at('weekStart'), diagnostics);
  }
  for (const spec of NUMBER_LISTS) {
    const v = input[spec.key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0) {
      diagnostics.push(
        error(
          'wrong-type',
          at(spec.key),
          `must be a non-empty array of integers (${rangeText(spec)})`,
        ),
      );
      continue;
    }
    const values: number[] = [];
    v.forEach((n: unknown, i) => {
      if (typeof n !== 'number' || !Number.isInteger(n) || !inRange(n, spec)) {
        diagnostics.push(
          error(
            'invalid-rrule',
            joinPath(at(spec.key), i),
            `must be an integer (${rangeText(spec)})`,
          ),
        );
      } else values.push(n);
    });
    parts[spec.key] = values;
  }
  return untilRaw === undefined ? { parts } : { parts, untilRaw };
}

function setFreq(parts: RuleParts, value: string, path: string, diagnostics: Diagnostic[]): void {
  const upper = value.toUpperCase();
  if ((FREQUENCIES as readonly string[]).includes(upper)) parts.freq = upper as Frequency;
  else
    diagnostics.push(
      error('invalid-rrule', path, `"${value}" is not a frequency (${FREQUENCIES.join(', ')})`),
    );
}

function setByDay(
  parts: RuleParts,
  items: string[],
  pathOf: (i?: number) => string,
  diagnostics: Diagnostic[],
): void {
  const out: string[] = [];
  if (items.length === 0) diagnostics.push(error('invalid-rrule', pathOf(), 'is empty'));
  items.forEach((raw, i) => {
    const m = /^([+-]?)(\d{1,2})?([A-Za-z]{2})$/.exec(raw.trim());
    const day = m?.[3]?.toUpperCase();
    const ordinal = m?.[2] === undefined ? undefined : Number(m[2]);
    if (
      !m ||
      day === undefined ||
      !(WEEKDAYS as readonly string[]).includes(day) ||
      (ordinal !== undefined && (ordinal < 1 || ordinal > 53))
    ) {
      diagnostics.push(
        error('invalid-rrule', pathOf(i), `"${raw}" is not a weekday like MO, TU, or -1FR / 2TU`),
      );
      return;
    }
    out.push(`${m[1] === '-' ? '-' : ''}${ordinal ?? ''}${day}`);
  });
  parts.byDay = out;
}

function setWeekStart(
  parts: RuleParts,
  value: string,
  path: string,
  diagnostics: Diagnostic[],
): void {
  const upper = value.toUpperCase();
  if ((WEEKDAYS as readonly string[]).includes(upper)) parts.weekStart = upper;
  else
    diagnostics.push(
      error('invalid-rrule', path, `"${value}" is not a weekday (${WEEKDAYS.join(', ')})`),
    );
}

function parseUntil(
  value: string,
  path: string,
  context: RruleContext,
  diagnostics: Diagnostic[],
): DateTime | undefined {
  // RFC 5545 §3.3.10: UNTIL has DTSTART's value type; with a TZID'd DTSTART it MUST be in UTC.
  const basicDate = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const asDate = basicDate ? `${basicDate[1]}-${basicDate[2]}-${basicDate[3]}` : value;
  if (context.allDay) {
    const date = parseDate(asDate);
    if (date.ok) return date.value;
    diagnostics.push(
      error(
        'invalid-rrule',
        path,
        `UNTIL of an all-day event must be a date like 2027-06-30 (${date.problem})`,
      ),
    );
    return undefined;
  }
  const dateOnly = parseDate(asDate);
  if (dateOnly.ok) {
    // A bare date for a timed event: the whole of that day in the event's zone is included.
    const d = dateOnly.value;
    return parseEndOfDay(d, context.zone);
  }
  const dt = parseDateTime(value, context.zone);
  if (dt.ok) return dt.value;
  diagnostics.push(error('invalid-rrule', path, `UNTIL: ${dt.problem}`));
  return undefined;
}

function parseEndOfDay(date: DateTime, zone: string | null): DateTime {
  return date
    .setZone(zone === null ? 'UTC' : tableZone(zone), { keepLocalTime: true })
    .endOf('day')
    .set({ millisecond: 0 });
}

function checkCombinations(parts: RuleParts, path: string, diagnostics: Diagnostic[]): void {
  const freq = parts.freq;
  if (freq === undefined) return;
  const bad = (message: string) => diagnostics.push(error('invalid-rrule', path, message));
  if (parts.count !== undefined && parts.until !== undefined)
    bad('COUNT and UNTIL cannot both be set (RFC 5545 §3.3.10)');
  if (parts.byDay?.some((d) => /\d/.test(d)) && freq !== 'MONTHLY' && freq !== 'YEARLY') {
    bad('BYDAY with a number (like 2TU or -1FR) is only allowed with FREQ=MONTHLY or YEARLY');
  }
  if (parts.byDay?.some((d) => /\d/.test(d)) && freq === 'YEARLY' && parts.byWeekNo !== undefined) {
    bad('BYDAY with a number cannot be combined with BYWEEKNO');
  }
  if (parts.byMonthDay !== undefined && freq === 'WEEKLY')
    bad('BYMONTHDAY is not allowed with FREQ=WEEKLY');
  if (
    parts.byYearDay !== undefined &&
    (freq === 'DAILY' || freq === 'WEEKLY' || freq === 'MONTHLY')
  ) {
    bad(`BYYEARDAY is not allowed with FREQ=${freq}`);
  }
  if (parts.byWeekNo !== undefined && freq !== 'YEARLY')
    bad('BYWEEKNO is only allowed with FREQ=YEARLY');
  if (parts.bySetPos !== undefined) {
    const others = [
      'bySecond',
      'byMinute',
      'byHour',
      'byDay',
      'byMonthDay',
      'byYearDay',
      'byWeekNo',
      'byMonth',
    ] as const;
    if (!others.some((k) => parts[k] !== undefined))
      bad('BYSETPOS needs another BYxxx part to select from');
  }
}

/** FREQ first (Outlook insists), then a fixed order; INTERVAL=1 is the default and is left out. */
function serialize(parts: RuleParts): string {
  const out: string[] = [`FREQ=${parts.freq ?? ''}`];
  if (parts.until !== undefined) out.push(`UNTIL=${parts.until}`);
  if (parts.count !== undefined) out.push(`COUNT=${parts.count}`);
  if (parts.interval !== undefined && parts.interval !== 1) out.push(`INTERVAL=${parts.interval}`);
  const lists: [string, readonly (string | number)[] | undefined][] = [
    ['BYSECOND', parts.bySecond],
    ['BYMINUTE', parts.byMinute],
    ['BYHOUR', parts.byHour],
    ['BYDAY', parts.byDay],
    ['BYMONTHDAY', parts.byMonthDay],
    ['BYYEARDAY', parts.byYearDay],
    ['BYWEEKNO', parts.byWeekNo],
    ['BYMONTH', parts.byMonth],
    ['BYSETPOS', parts.bySetPos],
  ];
  for (const [name, values] of lists)
    if (values !== undefined && values.length > 0) out.push(`${name}=${values.join(',')}`);
  if (parts.weekStart !== undefined) out.push(`WKST=${parts.weekStart}`);
  return out.join(';');
}

function toInteger(value: string): number | undefined {
  return /^-?\d{1,6}$/.test(value) ? Number(value) : undefined;
}

function inRange(n: number, spec: { min: number; max: number; signed: boolean }): boolean {
  const magnitude = spec.signed ? Math.abs(n) : n;
  return magnitude >= spec.min && magnitude <= spec.max && !(spec.signed && n === 0);
}

function rangeText(spec: { min: number; max: number; signed: boolean }): string {
  return spec.signed ? `±${spec.min}..${spec.max}` : `${spec.min}..${spec.max}`;
}
