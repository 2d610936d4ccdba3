import { paramValue, type Component, type ContentLine } from '../calendar-model.ts';
import { MAX_PROBLEMS_PER_CODE } from '../calendar-problem-log.ts';
import { dateValueKind, parseDateValue, type DateValueKind } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.3.4 (DATE: YYYYMMDD) and §3.3.5 (DATE-TIME: YYYYMMDDTHHMMSS, optionally Z), with the
// VALUE parameter (§3.2.20) saying which one a property carries. A date that does not exist
// (month 13, 30 February, hour 24), a VALUE=DATE with a time or a VALUE=DATE-TIME without one, or
// a separator (2026-12-01) is not a date: strict parsers reject the property, lenient ones
// normalise it to another day (ical.js reads 20261232 as 1 January) or drop it, so the event moves
// or vanishes. Properties that are DATE-TIME only (DTSTAMP, CREATED, LAST-MODIFIED, COMPLETED,
// ACKNOWLEDGED) must not be a DATE. Whether a time is UTC is not judged here: the first DTSTAMP of
// a VEVENT that is not in the UTC form is dtstamp-not-utc's, and is skipped.
const DATE_OR_DATE_TIME: ReadonlySet<DateValueKind> = new Set([
  'date',
  'date-time',
  'date-time-utc',
]);
const DATE_TIME: ReadonlySet<DateValueKind> = new Set(['date-time', 'date-time-utc']);

/** Date-typed properties and the value kinds each may carry (RFC 5545 §3.8.2, §3.8.5, §3.8.7). */
const DATE_PROPERTIES: ReadonlyMap<string, { kinds: ReadonlySet<DateValueKind>; list: boolean }> =
  new Map([
    ['DTSTART', { kinds: DATE_OR_DATE_TIME, list: false }],
    ['DTEND', { kinds: DATE_OR_DATE_TIME, list: false }],
    ['DUE', { kinds: DATE_OR_DATE_TIME, list: false }],
    ['RECURRENCE-ID', { kinds: DATE_OR_DATE_TIME, list: false }],
    ['EXDATE', { kinds: DATE_OR_DATE_TIME, list: true }],
    ['RDATE', { kinds: new Set<DateValueKind>([...DATE_OR_DATE_TIME, 'period']), list: true }],
    ['DTSTAMP', { kinds: DATE_TIME, list: false }],
    ['CREATED', { kinds: DATE_TIME, list: false }],
    ['LAST-MODIFIED', { kinds: DATE_TIME, list: false }],
    ['COMPLETED', { kinds: DATE_TIME, list: false }],
    // RFC 9074 §6 (VALARM).
    ['ACKNOWLEDGED', { kinds: DATE_TIME, list: false }],
  ]);

export const invalidDateValue = defineRule({
  id: 'invalid-date-value',
  category: 'syntax',
  severity: 'error',
  summary: 'A date property (DTSTART, DTEND, EXDATE…) holds no valid DATE or DATE-TIME.',
  fix: 'Write dates as YYYYMMDD with VALUE=DATE and date-times as YYYYMMDDTHHMMSS[Z], real calendar dates only.',
  source: 'RFC 5545 §3.3.4, §3.3.5, §3.2.20',
  *check(context) {
    const part = context.primary;
    const vcalendar = part?.vcalendar;
    if (part === undefined || vcalendar === undefined) return;
    let shown = 0;
    let more = 0;
    for (const { component, path, parent } of withPaths(vcalendar, part.path, undefined)) {
      let firstDtstamp = true;
      for (const property of component.properties) {
        const spec = DATE_PROPERTIES.get(property.name);
        if (spec === undefined) continue;
        if (property.name === 'DTSTAMP') {
          const first = firstDtstamp;
          firstDtstamp = false;
          if (first && component.name === 'VEVENT' && parent === vcalendar && !utcForm(property))
            continue;
        }
        // Fast path: a well-formed value of an allowed kind.
        const kind = dateValueKind(property);
        const single = !property.value.includes(',');
        if (kind !== 'invalid' && spec.kinds.has(kind) && (spec.list || single)) continue;
        // Past the cap only the count matters; without a list there is nothing left to excuse it.
        if (shown >= MAX_PROBLEMS_PER_CODE && single) {
          more++;
          continue;
        }
        const problem = problemOf(property, spec.kinds, spec.list);
        if (problem === undefined) continue;
        if (shown >= MAX_PROBLEMS_PER_CODE) {
          more++;
          continue;
        }
        shown++;
        yield {
          message: `${property.name} ${JSON.stringify(excerpt(property.value))} is not a valid ${expected(property, spec.kinds)}: ${problem}`,
          path: `${path}/${property.name}`,
          line: property.line,
        };
      }
    }
    if (more > 0) {
      yield { message: `…and ${more} more invalid date values not listed`, path: part.path };
    }
  },
});

/** dtstamp-not-utc's condition, inverted: the form it accepts. */
function utcForm(line: ContentLine): boolean {
  return /^\d{8}T\d{6}Z$/.test(line.value.trim()) && !line.params.some((p) => p.name === 'TZID');
}

function problemOf(
  line: ContentLine,
  allowed: ReadonlySet<DateValueKind>,
  list: boolean,
): string | undefined {
  const type = paramValue(line, 'VALUE')?.toUpperCase();
  if (type !== undefined && type !== 'DATE' && type !== 'DATE-TIME' && type !== 'PERIOD')
    return `VALUE=${type} is not a date type`;
  if (type === 'PERIOD' && !allowed.has('period'))
    return `VALUE=PERIOD is not allowed in ${line.name}`;
  if (line.value === '') return 'the value is empty';
  const items = line.value.split(',');
  if (!list && items.length > 1) return `${line.name} takes a single value, not a list`;
  const kinds = new Set<string>();
  for (const item of items) {
    const why = itemProblem(item, type, allowed);
    if (why !== undefined) return items.length > 1 ? `${why} (in "${excerpt(item)}")` : why;
    kinds.add(type === 'PERIOD' ? 'period' : (parseDateValue(item)?.kind ?? ''));
  }
  // UTC and local date-times may share a list (dateValueKind is stricter); DATE and DATE-TIME not.
  return kinds.size > 1 ? 'the list mixes DATE and DATE-TIME values' : undefined;
}

function itemProblem(
  item: string,
  type: string | undefined,
  allowed: ReadonlySet<DateValueKind>,
): string | undefined {
  if (type === 'PERIOD') {
    return dateValueKind({ name: 'RDATE', params: PERIOD, value: item, line: 0 }) === 'period'
      ? undefined
      : 'not a PERIOD (start/end or start/duration)';
  }
  if (item.trim() !== item) return 'whitespace around the value';
  const parsed = parseDateValue(item);
  if (parsed === undefined) {
    if (/^\d{8}(T\d{6}Z?)?$/.test(item)) return 'no such date or time';
    if (/^\d{4}-\d{2}-\d{2}/.test(item))
      return 'separators are not allowed (YYYYMMDD, not YYYY-MM-DD)';
    return 'not in the form YYYYMMDD or YYYYMMDDTHHMMSS[Z]';
  }
  if (parsed.kind === 'date-time' && type === 'DATE') return 'VALUE=DATE but the value has a time';
  if (parsed.kind === 'date' && type === 'DATE-TIME')
    return 'VALUE=DATE-TIME but the value has no time';
  if (parsed.kind === 'date' && !allowed.has('date')) return 'a DATE where a DATE-TIME is required';
  return undefined;
}

const PERIOD = [{ name: 'VALUE', values: [{ value: 'PERIOD', quoted: false }] }];

function expected(line: ContentLine, allowed: ReadonlySet<DateValueKind>): string {
  const type = paramValue(line, 'VALUE')?.toUpperCase();
  if (type === 'DATE' || type === 'DATE-TIME' || type === 'PERIOD') return type;
  return allowed.has('date') ? 'DATE or DATE-TIME' : 'DATE-TIME';
}

function excerpt(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** Every component with its path and parent: `1.3`, `1.3/VEVENT[0]`, `1.3/VEVENT[0]/VALARM[1]`. */
function* withPaths(
  component: Component,
  path: string,
  parent: Component | undefined,
): Generator<{ component: Component; path: string; parent: Component | undefined }> {
  yield { component, path, parent };
  const counts = new Map<string, number>();
  for (const child of component.components) {
    const index = counts.get(child.name) ?? 0;
    counts.set(child.name, index + 1);
    yield* withPaths(child, `${path}/${child.name}[${index}]`, component);
  }
}
