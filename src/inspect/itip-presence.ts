/**
 * Checks a calendar against the RFC 5546 §3 restriction table of its iTIP method: how many times
 * each property and sub-component may appear in the VCALENDAR, each VEVENT (a master and its
 * RECURRENCE-ID overrides are each checked), their VALARMs, and each VTIMEZONE with its
 * STANDARD/DAYLIGHT rules.
 *
 * Beyond the counts, a table comment becomes a check only when it is mechanically decidable from
 * this one message (CHECKED_COMMENTS lists them). Comments that need another message or the
 * envelope ("MUST be the address of the Attendee replying", "MUST echo the original SEQUENCE
 * number", "MUST be present if any date/time refers to a timezone" — a separate rule) stay data.
 *
 * Properties and components a table does not name are allowed: every table has IANA-PROPERTY 0+
 * (and the VCALENDAR IANA-COMPONENT 0+), and X- names are always allowed. They are not violations;
 * findUnknownProperties() lists the non-X ones for callers that want to mention them.
 */
import { componentsNamed, paramValue, propertiesNamed, type Component } from './calendar-model.ts';
import {
  ITIP_PRESENCE,
  rowCitation,
  rowSection,
  type ItipMethod,
  type Presence,
  type PresenceRow,
} from './itip-presence-tables.ts';

export {
  ITIP_METHODS,
  ITIP_PRESENCE,
  ITIP_SECTIONS,
  isItipMethod,
  rowCitation,
} from './itip-presence-tables.ts';
export type { ItipMethod, Presence, PresenceRow } from './itip-presence-tables.ts';

export interface PresenceViolation {
  readonly method: ItipMethod;
  /** Component the row applies to: 'VCALENDAR', 'VEVENT', 'VALARM', 'VTIMEZONE', 'STANDARD', 'DAYLIGHT'. */
  readonly component: string;
  /** Physical line of the component's BEGIN. */
  readonly componentLine: number;
  /** Property or sub-component name. */
  readonly name: string;
  /**
   * The presence the table requires. For a comment check (a value or a combination rather than a
   * count) this is the row's presence and `found` its count, which may well agree: the message
   * says what is wrong.
   */
  readonly expected: Presence;
  readonly found: number;
  /** One sentence, e.g. "REQUEST: VEVENT must have exactly one DTSTAMP (found 0) — RFC 5546 §3.2.2". */
  readonly message: string;
  /** Section of RFC 5546 the row is in: '3.2.2' for the method tables, '3.1.1'–'3.1.3' for the common ones. */
  readonly section: string;
}

/** A property or component that no row of the table names (and that is not an X- name). */
export interface UnknownItem {
  readonly method: ItipMethod;
  readonly component: string;
  readonly componentLine: number;
  readonly name: string;
  readonly kind: 'property' | 'component';
  /** Physical line of the property, or of the sub-component's BEGIN. */
  readonly line: number;
}

const WILDCARDS = new Set(['IANA-PROPERTY', 'X-PROPERTY', 'IANA-COMPONENT', 'X-COMPONENT']);

const isExperimental = (name: string) => name.startsWith('X-');

function satisfies(presence: Presence, found: number): boolean {
  switch (presence) {
    case '1':
      return found === 1;
    case '1+':
      return found >= 1;
    case '0':
      return found === 0;
    case '0+':
      return true;
    case '0 or 1':
      return found <= 1;
  }
}

const PRESENCE_WORDS: Readonly<Record<Presence, string>> = {
  '1': 'exactly one',
  '1+': 'at least one',
  '0': 'no',
  '0+': 'any number of',
  '0 or 1': 'at most one',
};

/** How many times each name occurs among a component's properties and sub-components. */
interface Tally {
  readonly property: ReadonlyMap<string, number>;
  readonly component: ReadonlyMap<string, number>;
}

function tally(component: Component): Tally {
  const count = (items: readonly { name: string }[]) => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
    return counts;
  };
  return { property: count(component.properties), component: count(component.components) };
}

// The names a table lists, per kind: computed once per table (tables are static data).
const namedCache = new WeakMap<readonly PresenceRow[], Record<PresenceRow['kind'], Set<string>>>();

function namedIn(rows: readonly PresenceRow[], kind: PresenceRow['kind']): Set<string> {
  let named = namedCache.get(rows);
  if (named === undefined) {
    const of = (k: PresenceRow['kind']) =>
      new Set(rows.filter((r) => r.kind === k && !WILDCARDS.has(r.name)).map((r) => r.name));
    named = { property: of('property'), component: of('component') };
    namedCache.set(rows, named);
  }
  return named[kind];
}

/** How many times a row's name occurs among the component's properties or sub-components. */
function countRow(counts: Tally, row: PresenceRow, rows: readonly PresenceRow[]): number {
  const items = counts[row.kind];
  let total = 0;
  switch (row.name) {
    case 'X-PROPERTY':
    case 'X-COMPONENT':
      for (const [name, n] of items) if (isExperimental(name)) total += n;
      return total;
    case 'IANA-PROPERTY':
    case 'IANA-COMPONENT': {
      const named = namedIn(rows, row.kind);
      for (const [name, n] of items) if (!isExperimental(name) && !named.has(name)) total += n;
      return total;
    }
    default:
      return items.get(row.name) ?? 0;
  }
}

// A comment that overrides its row's presence column. COUNTER's SEQUENCE row says "1" but its
// comment "MUST be present if non-zero. MAY be present if zero." lets a zero SEQUENCE be left out
// (absent means 0, RFC 5545 §3.8.7.4); the comment is the more specific statement.
const RELAXED_PRESENCE = new Map<string, Presence>([
  [
    'MUST echo the original SEQUENCE number. MUST be present if non-zero. MAY be present if zero.',
    '0 or 1',
  ],
]);

interface CheckContext {
  readonly method: ItipMethod;
  /** Table (= component) name. */
  readonly table: string;
  readonly component: Component;
  readonly row: PresenceRow;
  readonly expected: Presence;
  readonly found: number;
  readonly vcalendar: Component;
}

interface Problem {
  readonly name: string;
  readonly message: string;
  readonly component?: Component;
  readonly table?: string;
  readonly expected?: Presence;
  readonly found?: number;
}

type CommentCheck = (context: CheckContext) => Problem[];

const firstValue = (component: Component, name: string) =>
  propertiesNamed(component, name)[0]?.value.trim();

/** METHOD row: "MUST equal PUBLISH." / "MUST be REQUEST." … */
function methodIs(expected: ItipMethod): CommentCheck {
  return ({ component, method }) => {
    const value = firstValue(component, 'METHOD');
    if (value === undefined || value.toUpperCase() === expected) return [];
    return [{ name: 'METHOD', message: `${method}: METHOD must be ${expected} (found ${value})` }];
  };
}

/** Two rows whose comments exclude each other; reported once under the first name. */
function exclusive(a: string, b: string): CommentCheck {
  return ({ component, method, table }) => {
    if (propertiesNamed(component, a).length === 0 || propertiesNamed(component, b).length === 0)
      return [];
    return [{ name: a, message: `${method}: ${table} must not have both ${a} and ${b}` }];
  };
}

/** VALARM DURATION and REPEAT: "If present, X MUST be present." */
function requires(other: string): CommentCheck {
  return ({ component, method, table, row, found }) => {
    if (found === 0 || propertiesNamed(component, other).length > 0) return [];
    return [
      {
        name: row.name,
        message: `${method}: ${table} has ${row.name} without ${other}; they go together`,
      },
    ];
  };
}

/** STATUS rows that restrict the value: "MAY be one of TENTATIVE/CONFIRMED." and the like. */
function statusOneOf(allowed: readonly string[]): CommentCheck {
  return ({ component, method, table }) => {
    const value = firstValue(component, 'STATUS');
    if (value === undefined || allowed.includes(value.toUpperCase())) return [];
    return [
      {
        name: 'STATUS',
        message: `${method}: ${table} STATUS must be one of ${allowed.join('/')} (found ${value})`,
      },
    ];
  };
}

const sameUid: CommentCheck = ({ method, vcalendar }) => {
  const events = componentsNamed(vcalendar, 'VEVENT').map((vevent) => ({
    vevent,
    uid: firstValue(vevent, 'UID'),
  }));
  const uids = new Set(events.flatMap((e) => (e.uid === undefined ? [] : [e.uid])));
  const reference = events.find((e) => e.uid !== undefined)?.uid;
  if (uids.size <= 1 || reference === undefined) return [];
  return events
    .filter((e) => e.uid !== undefined && e.uid !== reference)
    .map((e) => ({
      name: 'UID',
      component: e.vevent,
      table: 'VEVENT',
      expected: '1' as const,
      found: uids.size,
      message: `${method}: every VEVENT must have the same UID; this one has "${e.uid ?? ''}", the first has "${reference}"`,
    }));
};

// The first component of each UID without RECURRENCE-ID, per calendar and component name: built
// once, so a calendar with thousands of overrides is checked in linear time, not quadratic.
const masterIndex = new WeakMap<Component, Map<string, ReadonlyMap<string, Component>>>();

function mastersOf(vcalendar: Component, name: string): ReadonlyMap<string, Component> {
  let byName = masterIndex.get(vcalendar);
  if (byName === undefined) {
    byName = new Map();
    masterIndex.set(vcalendar, byName);
  }
  let masters = byName.get(name);
  if (masters === undefined) {
    const index = new Map<string, Component>();
    for (const c of componentsNamed(vcalendar, name)) {
      const uid = firstValue(c, 'UID');
      if (uid !== undefined && !index.has(uid) && propertiesNamed(c, 'RECURRENCE-ID').length === 0)
        index.set(uid, c);
    }
    masters = index;
    byName.set(name, masters);
  }
  return masters;
}

/**
 * RECURRENCE-ID "Only if referring to an instance of a recurring calendar component": decidable
 * only when the component it overrides (same UID, no RECURRENCE-ID) is in the same message and has
 * neither RRULE nor RDATE, so has no instances to refer to.
 */
const recurrenceIdNeedsRecurringMaster: CommentCheck = ({
  method,
  component,
  found,
  vcalendar,
}) => {
  const uid = firstValue(component, 'UID');
  if (found === 0 || uid === undefined) return [];
  const master = mastersOf(vcalendar, component.name).get(uid);
  if (
    master === undefined ||
    propertiesNamed(master, 'RRULE').length > 0 ||
    propertiesNamed(master, 'RDATE').length > 0
  )
    return [];
  return [
    {
      name: 'RECURRENCE-ID',
      message: `${method}: ${component.name} has RECURRENCE-ID but the ${component.name} it overrides (line ${master.line}) has no RRULE or RDATE`,
    },
  ];
};

/** The comments that are enforced, each with its check. Every other comment is data only. */
const COMMENT_CHECKS: ReadonlyMap<string, CommentCheck> = new Map<string, CommentCheck>([
  ['MUST equal PUBLISH.', methodIs('PUBLISH')],
  ['MUST be REQUEST.', methodIs('REQUEST')],
  ['MUST be REPLY.', methodIs('REPLY')],
  ['MUST be ADD.', methodIs('ADD')],
  ['MUST be CANCEL.', methodIs('CANCEL')],
  ['MUST be REFRESH.', methodIs('REFRESH')],
  ['MUST be COUNTER.', methodIs('COUNTER')],
  ['MUST be DECLINECOUNTER.', methodIs('DECLINECOUNTER')],
  [
    'Value MUST be 2.0.',
    ({ component, method }) => {
      const value = firstValue(component, 'VERSION');
      if (value === undefined || value === '2.0') return [];
      return [{ name: 'VERSION', message: `${method}: VERSION must be 2.0 (found ${value})` }];
    },
  ],
  ['All components MUST have the same UID.', sameUid],
  ['All must have the same UID.', sameUid],
  ['If present, DURATION MUST NOT be present.', exclusive('DTEND', 'DURATION')],
  ['If present, DTEND MUST NOT be present.', exclusive('DTEND', 'DURATION')],
  ['If present, RRULE MUST NOT be present.', exclusive('RDATE', 'RRULE')],
  ['If present, RDATE MUST NOT be present.', exclusive('RDATE', 'RRULE')],
  ['If present, REPEAT MUST be present.', requires('REPEAT')],
  ['If present, DURATION MUST be present.', requires('DURATION')],
  [
    'MUST be one or more of either STANDARD or DAYLIGHT.',
    ({ component, method, table }) => {
      const rules = component.components.filter(
        (c) => c.name === 'STANDARD' || c.name === 'DAYLIGHT',
      );
      if (rules.length > 0) return [];
      return [
        {
          name: 'STANDARD',
          expected: '1+',
          found: 0,
          message: `${method}: ${table} must have at least one STANDARD or DAYLIGHT (found 0)`,
        },
      ];
    },
  ],
  [
    // RFC 5545 §3.3.5 form #1: no "Z" suffix and no TZID parameter.
    'MUST be local time format.',
    ({ component, method, table }) =>
      propertiesNamed(component, 'DTSTART').flatMap((line) => {
        const tzid = paramValue(line, 'TZID');
        const utc = line.value.trim().toUpperCase().endsWith('Z');
        if (tzid === undefined && !utc) return [];
        const shown = tzid === undefined ? line.value : `TZID=${tzid}:${line.value}`;
        return [
          {
            name: 'DTSTART',
            message: `${method}: ${table} DTSTART must be a local time, without "Z" or TZID (found ${shown})`,
          },
        ];
      }),
  ],
  [
    'MUST be greater than 0.',
    ({ component, method, table }) => {
      const value = firstValue(component, 'SEQUENCE');
      if (value === undefined || (/^\d+$/.test(value) && Number(value) > 0)) return [];
      return [
        {
          name: 'SEQUENCE',
          message: `${method}: ${table} SEQUENCE must be greater than 0 (found ${value})`,
        },
      ];
    },
  ],
  [
    'MUST be set to CANCELLED to cancel the entire event. If uninviting specific Attendees, then MUST NOT be included.',
    // Whole-event cancel or uninvitation cannot be told apart from one message, but either way a
    // STATUS that is present must be CANCELLED.
    ({ component, method, table }) => {
      const value = firstValue(component, 'STATUS');
      if (value === undefined || value.toUpperCase() === 'CANCELLED') return [];
      return [
        {
          name: 'STATUS',
          message: `${method}: ${table} STATUS must be CANCELLED when present (found ${value})`,
        },
      ];
    },
  ],
  [
    'MAY be one of TENTATIVE/CONFIRMED/CANCELLED.',
    statusOneOf(['TENTATIVE', 'CONFIRMED', 'CANCELLED']),
  ],
  ['MAY be one of TENTATIVE/CONFIRMED.', statusOneOf(['TENTATIVE', 'CONFIRMED'])],
  // The RFC misspells TENTATIVE here; the check uses the RFC 5545 §3.8.1.11 spelling.
  [
    'Value must be one of CONFIRMED/TENATIVE/CANCELLED.',
    statusOneOf(['CONFIRMED', 'TENTATIVE', 'CANCELLED']),
  ],
  [
    'Only if referring to an instance of a recurring calendar component. Otherwise, it MUST NOT be present.',
    recurrenceIdNeedsRecurringMaster,
  ],
]);

/** The table comments that checkItipPresence enforces beyond the presence counts. */
export const CHECKED_COMMENTS: ReadonlySet<string> = new Set(COMMENT_CHECKS.keys());

type Emit = (violation: PresenceViolation) => void;

function checkComponent(
  method: ItipMethod,
  table: string,
  component: Component,
  vcalendar: Component,
  emit: Emit,
): void {
  const rows = ITIP_PRESENCE[method][table];
  if (rows === undefined) return;
  const counts = tally(component);
  for (const row of rows) {
    const found = countRow(counts, row, rows);
    const expected =
      (row.comment === undefined ? undefined : RELAXED_PRESENCE.get(row.comment)) ?? row.presence;
    const section = rowSection(method, row);
    const citation = rowCitation(method, row);
    if (!satisfies(expected, found)) {
      emit({
        method,
        component: table,
        componentLine: component.line,
        name: row.name,
        expected,
        found,
        message: `${method}: ${table} must have ${PRESENCE_WORDS[expected]} ${row.name} (found ${found}) — ${citation}`,
        section,
      });
    }
    const check = row.comment === undefined ? undefined : COMMENT_CHECKS.get(row.comment);
    for (const problem of check?.({ method, table, component, row, expected, found, vcalendar }) ??
      []) {
      emit({
        method,
        component: problem.table ?? table,
        componentLine: (problem.component ?? component).line,
        name: problem.name,
        expected: problem.expected ?? expected,
        found: problem.found ?? found,
        message: `${problem.message} — ${citation}`,
        section,
      });
    }
  }
  // Descend only where the table has rows for the sub-component and allows it at all: a VTODO in a
  // REQUEST is one violation, not one plus the VTODO's own contents.
  for (const sub of component.components) {
    const row = rows.find((r) => r.kind === 'component' && r.name === sub.name);
    if (row === undefined || row.presence === '0') continue;
    checkComponent(method, sub.name, sub, vcalendar, emit);
  }
}

/** Checks a VCALENDAR (and its VEVENTs and their sub-components) against the table of `method`. */
export function checkItipPresence(method: ItipMethod, vcalendar: Component): PresenceViolation[] {
  const violations: PresenceViolation[] = [];
  const seen = new Set<string>();
  // Paired comments (DTEND/DURATION, RDATE/RRULE, STANDARD/DAYLIGHT) fire from both rows with the
  // same finding; keep one.
  checkComponent(method, 'VCALENDAR', vcalendar, vcalendar, (violation) => {
    const key = `${violation.componentLine}\u0000${violation.name}\u0000${violation.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    violations.push(violation);
  });
  return violations;
}

function collectUnknown(
  method: ItipMethod,
  table: string,
  component: Component,
  out: UnknownItem[],
): void {
  const rows = ITIP_PRESENCE[method][table];
  if (rows === undefined) return;
  const named = (kind: PresenceRow['kind'], name: string) =>
    rows.some((r) => r.kind === kind && r.name === name && !WILDCARDS.has(r.name));
  const base = { method, component: table, componentLine: component.line };
  for (const property of component.properties) {
    if (isExperimental(property.name) || named('property', property.name)) continue;
    out.push({ ...base, name: property.name, kind: 'property', line: property.line });
  }
  for (const sub of component.components) {
    if (!named('component', sub.name)) {
      if (!isExperimental(sub.name))
        out.push({ ...base, name: sub.name, kind: 'component', line: sub.line });
      continue;
    }
    const row = rows.find((r) => r.kind === 'component' && r.name === sub.name);
    if (row?.presence !== '0') collectUnknown(method, sub.name, sub, out);
  }
}

/**
 * Properties and sub-components that the table of `method` does not name and that are not X-
 * names (COLOR, CONFERENCE, DUE in a VEVENT…): allowed as IANA-PROPERTY/IANA-COMPONENT, so never a
 * violation, but worth a note when a client may not know them. Walks the same components as
 * checkItipPresence.
 */
export function findUnknownProperties(method: ItipMethod, vcalendar: Component): UnknownItem[] {
  const out: UnknownItem[] = [];
  collectUnknown(method, 'VCALENDAR', vcalendar, out);
  return out;
}
