import { describe, expect, it } from 'vitest';
import type { Component, ContentLine } from '../../src/inspect/calendar-model.ts';
import {
  CHECKED_COMMENTS,
  ITIP_METHODS,
  ITIP_PRESENCE,
  ITIP_SECTIONS,
  checkItipPresence,
  findUnknownProperties,
  isItipMethod,
  type ItipMethod,
  type PresenceRow,
} from '../../src/inspect/itip-presence.ts';

/**
 * A few lines of iCalendar → Component, one content line per physical line (no folding, no quoted
 * colons), so line numbers are the index in the text: enough to build inputs without the scanner.
 */
function parse(text: string): Component {
  interface Building {
    name: string;
    properties: ContentLine[];
    components: Component[];
    line: number;
  }
  const stack: Building[] = [];
  let root: Building | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const colon = raw.indexOf(':');
    const [name = '', ...params] = raw.slice(0, colon).split(';');
    const value = raw.slice(colon + 1);
    const parent = stack.at(-1);
    if (name === 'BEGIN') {
      const component: Building = { name: value, properties: [], components: [], line };
      parent?.components.push(component);
      stack.push(component);
      root ??= component;
    } else if (name === 'END') {
      stack.pop();
    } else {
      parent?.properties.push({
        name,
        params: params.map((param) => {
          const [key = '', v = ''] = param.split('=');
          return { name: key, values: [{ value: v, quoted: false }] };
        }),
        value,
        line,
      });
    }
  });
  if (root === undefined) throw new Error('no component');
  return root;
}

const header = (method: string) => [
  'BEGIN:VCALENDAR',
  'PRODID:-//smtp-invite//test//EN',
  'VERSION:2.0',
  `METHOD:${method}`,
];
/** First VEVENT's BEGIN is on line 5. */
const calendar = (method: string, ...body: string[][]) =>
  parse([...header(method), ...body.flat(), 'END:VCALENDAR'].join('\n'));
const vevent = (...properties: string[]) => ['BEGIN:VEVENT', ...properties, 'END:VEVENT'];

const DTSTAMP = 'DTSTAMP:20250101T090000Z';
const DTSTART = 'DTSTART:20250110T100000Z';
const ORGANIZER = 'ORGANIZER;CN=Alice:mailto:alice@example.com';
const ATTENDEE = 'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com';
const SUMMARY = 'SUMMARY:Planning';
const UID = 'UID:meeting-1@example.com';

/** The least each method's table requires of a VEVENT. */
const MINIMAL_EVENT: Record<ItipMethod, string[]> = {
  PUBLISH: [DTSTAMP, DTSTART, ORGANIZER, SUMMARY, UID],
  REQUEST: [ATTENDEE, DTSTAMP, DTSTART, ORGANIZER, SUMMARY, UID],
  REPLY: ['ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com', DTSTAMP, ORGANIZER, UID],
  ADD: [DTSTAMP, DTSTART, ORGANIZER, 'SEQUENCE:1', SUMMARY, UID],
  CANCEL: [DTSTAMP, ORGANIZER, 'SEQUENCE:1', UID],
  REFRESH: [ATTENDEE, DTSTAMP, ORGANIZER, UID],
  COUNTER: [DTSTAMP, DTSTART, ORGANIZER, 'SEQUENCE:0', SUMMARY, UID],
  DECLINECOUNTER: [ATTENDEE, DTSTAMP, ORGANIZER, 'SEQUENCE:0', UID],
};

const messages = (method: ItipMethod, vcalendar: Component) =>
  checkItipPresence(method, vcalendar).map((v) => v.message);

const VTIMEZONE_PARIS = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'BEGIN:STANDARD',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
];

describe('checkItipPresence: valid calendars', () => {
  it.each(ITIP_METHODS)('a minimal %s passes', (method) => {
    expect(checkItipPresence(method, calendar(method, vevent(...MINIMAL_EVENT[method])))).toEqual(
      [],
    );
  });

  it('a rich REQUEST passes: master and override, time zone, alarm, X- and IANA extensions', () => {
    const cal = calendar(
      'REQUEST',
      ['CALSCALE:GREGORIAN', 'X-WR-CALNAME:Team'],
      VTIMEZONE_PARIS,
      vevent(
        ...MINIMAL_EVENT.REQUEST,
        'DTEND;TZID=Europe/Paris:20250110T120000',
        'RRULE:FREQ=WEEKLY;COUNT=4',
        'SEQUENCE:2',
        'STATUS:CONFIRMED',
        'COMMENT:one',
        'COMMENT:two',
        'COLOR:red',
        'X-MICROSOFT-CDO-BUSYSTATUS:BUSY',
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'TRIGGER:-PT15M',
        'DURATION:PT5M',
        'REPEAT:2',
        'END:VALARM',
      ),
      vevent(...MINIMAL_EVENT.REQUEST, 'RECURRENCE-ID:20250117T100000Z', 'SEQUENCE:2'),
      ['BEGIN:X-VENDOR-THING', 'FOO:bar', 'END:X-VENDOR-THING'],
    );
    expect(checkItipPresence('REQUEST', cal)).toEqual([]);
  });

  it('COUNTER may leave out a zero SEQUENCE: its comment relaxes the presence column', () => {
    const event = MINIMAL_EVENT.COUNTER.filter((p) => !p.startsWith('SEQUENCE'));
    expect(messages('COUNTER', calendar('COUNTER', vevent(...event)))).toEqual([]);
    // …but DECLINECOUNTER's SEQUENCE row has no such comment.
    const decline = MINIMAL_EVENT.DECLINECOUNTER.filter((p) => !p.startsWith('SEQUENCE'));
    expect(messages('DECLINECOUNTER', calendar('DECLINECOUNTER', vevent(...decline)))).toEqual([
      'DECLINECOUNTER: VEVENT must have exactly one SEQUENCE (found 0) — RFC 5546 §3.2.8',
    ]);
  });
});

describe('checkItipPresence: presence violations', () => {
  it('"1" missing, with every field of the violation', () => {
    const cal = calendar('REQUEST', vevent(ATTENDEE, DTSTART, ORGANIZER, SUMMARY, UID));
    expect(checkItipPresence('REQUEST', cal)).toEqual([
      {
        method: 'REQUEST',
        component: 'VEVENT',
        componentLine: 5,
        name: 'DTSTAMP',
        expected: '1',
        found: 0,
        message: 'REQUEST: VEVENT must have exactly one DTSTAMP (found 0) — RFC 5546 §3.2.2',
        section: '3.2.2',
      },
    ]);
  });

  it('"1" repeated', () => {
    const cal = calendar('PUBLISH', vevent(...MINIMAL_EVENT.PUBLISH, 'UID:meeting-1@example.com'));
    expect(messages('PUBLISH', cal)).toEqual([
      'PUBLISH: VEVENT must have exactly one UID (found 2) — RFC 5546 §3.2.1',
    ]);
  });

  it('"1" on a VCALENDAR component: ADD, REFRESH and COUNTER carry exactly one VEVENT', () => {
    const cal = calendar('ADD', vevent(...MINIMAL_EVENT.ADD), vevent(...MINIMAL_EVENT.ADD));
    expect(messages('ADD', cal)).toEqual([
      'ADD: VCALENDAR must have exactly one VEVENT (found 2) — RFC 5546 §3.2.4',
    ]);
  });

  it('"1" from §3.1.1: PRODID', () => {
    const cal = parse(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'METHOD:REPLY',
        ...vevent(...MINIMAL_EVENT.REPLY),
        'END:VCALENDAR',
      ].join('\n'),
    );
    expect(checkItipPresence('REPLY', cal)).toMatchObject([
      {
        component: 'VCALENDAR',
        componentLine: 1,
        name: 'PRODID',
        section: '3.1.1',
        message: 'REPLY: VCALENDAR must have exactly one PRODID (found 0) — RFC 5546 §3.1.1',
      },
    ]);
  });

  it('"1" missing METHOD (a bare .ics checked as the MIME method says)', () => {
    const cal = parse(
      [
        'BEGIN:VCALENDAR',
        'PRODID:x',
        'VERSION:2.0',
        ...vevent(...MINIMAL_EVENT.REQUEST),
        'END:VCALENDAR',
      ].join('\n'),
    );
    expect(messages('REQUEST', cal)).toEqual([
      'REQUEST: VCALENDAR must have exactly one METHOD (found 0) — RFC 5546 §3.2.2',
    ]);
  });

  it('"1+" missing on a property and on a component', () => {
    expect(
      messages('REQUEST', calendar('REQUEST', vevent(DTSTAMP, DTSTART, ORGANIZER, SUMMARY, UID))),
    ).toEqual(['REQUEST: VEVENT must have at least one ATTENDEE (found 0) — RFC 5546 §3.2.2']);
    expect(messages('PUBLISH', calendar('PUBLISH'))).toEqual([
      'PUBLISH: VCALENDAR must have at least one VEVENT (found 0) — RFC 5546 §3.2.1',
    ]);
  });

  it('"0": ATTENDEE in a PUBLISH, VALARM in a REPLY, VTODO anywhere', () => {
    expect(
      messages('PUBLISH', calendar('PUBLISH', vevent(...MINIMAL_EVENT.PUBLISH, ATTENDEE))),
    ).toEqual(['PUBLISH: VEVENT must have no ATTENDEE (found 1) — RFC 5546 §3.2.1']);
    const alarm = ['BEGIN:VALARM', 'ACTION:DISPLAY', 'END:VALARM'];
    expect(messages('REPLY', calendar('REPLY', vevent(...MINIMAL_EVENT.REPLY, ...alarm)))).toEqual([
      'REPLY: VEVENT must have no VALARM (found 1) — RFC 5546 §3.2.3',
    ]);
    // The VALARM lacks TRIGGER, but a component that must not be there is not looked into.
    const todo = ['BEGIN:VTODO', 'END:VTODO'];
    expect(
      messages('REQUEST', calendar('REQUEST', vevent(...MINIMAL_EVENT.REQUEST), todo)),
    ).toEqual(['REQUEST: VCALENDAR must have no VTODO (found 1) — RFC 5546 §3.2.2']);
  });

  it('"0" throughout a REFRESH', () => {
    const cal = calendar(
      'REFRESH',
      vevent(...MINIMAL_EVENT.REFRESH, DTSTART, SUMMARY, 'SEQUENCE:1'),
    );
    expect(messages('REFRESH', cal)).toEqual([
      'REFRESH: VEVENT must have no DTSTART (found 1) — RFC 5546 §3.2.6',
      'REFRESH: VEVENT must have no SEQUENCE (found 1) — RFC 5546 §3.2.6',
      'REFRESH: VEVENT must have no SUMMARY (found 1) — RFC 5546 §3.2.6',
    ]);
  });

  it('"0 or 1" exceeded, including REPLY\'s single VTIMEZONE', () => {
    expect(
      messages(
        'REQUEST',
        calendar('REQUEST', vevent(...MINIMAL_EVENT.REQUEST, 'LOCATION:A', 'LOCATION:B')),
      ),
    ).toEqual(['REQUEST: VEVENT must have at most one LOCATION (found 2) — RFC 5546 §3.2.2']);
    const london = VTIMEZONE_PARIS.map((l) => l.replace('Europe/Paris', 'Europe/London'));
    expect(
      messages('REPLY', calendar('REPLY', VTIMEZONE_PARIS, london, vevent(...MINIMAL_EVENT.REPLY))),
    ).toEqual(['REPLY: VCALENDAR must have at most one VTIMEZONE (found 2) — RFC 5546 §3.2.3']);
  });

  it('"0+" is never violated', () => {
    const comments = Array.from({ length: 5 }, (_, i) => `COMMENT:${i}`);
    expect(
      messages('CANCEL', calendar('CANCEL', vevent(...MINIMAL_EVENT.CANCEL, ...comments))),
    ).toEqual([]);
  });

  it('checks every VEVENT: the override, not the master, lacks DTSTAMP', () => {
    const master = [...MINIMAL_EVENT.REQUEST, 'RRULE:FREQ=DAILY;COUNT=3'];
    const override = MINIMAL_EVENT.REQUEST.filter((p) => p !== DTSTAMP);
    const cal = calendar(
      'REQUEST',
      vevent(...master),
      vevent(...override, 'RECURRENCE-ID:20250111T100000Z'),
    );
    // Master: BEGIN on 5, 7 properties, END on 13; override BEGIN on 14.
    expect(checkItipPresence('REQUEST', cal)).toMatchObject([
      { component: 'VEVENT', componentLine: 14, name: 'DTSTAMP', found: 0 },
    ]);
  });

  it('§3.1.2 and §3.1.3 rows are cited from their own section', () => {
    const tz = VTIMEZONE_PARIS.filter((l) => l !== 'TZID:Europe/Paris' && l !== 'TZOFFSETTO:+0100');
    const alarm = ['BEGIN:VALARM', 'ACTION:DISPLAY', 'END:VALARM'];
    const cal = calendar('REQUEST', tz, vevent(...MINIMAL_EVENT.REQUEST, ...alarm));
    expect(checkItipPresence('REQUEST', cal)).toMatchObject([
      {
        component: 'VTIMEZONE',
        componentLine: 5,
        name: 'TZID',
        section: '3.1.2',
        message: 'REQUEST: VTIMEZONE must have exactly one TZID (found 0) — RFC 5546 §3.1.2',
      },
      {
        component: 'STANDARD',
        componentLine: 6,
        name: 'TZOFFSETTO',
        message: 'REQUEST: STANDARD must have exactly one TZOFFSETTO (found 0) — RFC 5546 §3.1.2',
      },
      {
        component: 'VALARM',
        name: 'TRIGGER',
        section: '3.1.3',
        message: 'REQUEST: VALARM must have exactly one TRIGGER (found 0) — RFC 5546 §3.1.3',
      },
    ]);
  });
});

describe('checkItipPresence: checks from table comments', () => {
  it('METHOD must be the method of the table', () => {
    expect(messages('REQUEST', calendar('PUBLISH', vevent(...MINIMAL_EVENT.REQUEST)))).toEqual([
      'REQUEST: METHOD must be REQUEST (found PUBLISH) — RFC 5546 §3.2.2',
    ]);
    // METHOD values are case-insensitive.
    expect(messages('REQUEST', calendar('request', vevent(...MINIMAL_EVENT.REQUEST)))).toEqual([]);
  });

  it('VERSION must be 2.0', () => {
    const cal = parse(
      [
        'BEGIN:VCALENDAR',
        'PRODID:x',
        'VERSION:1.0',
        'METHOD:PUBLISH',
        ...vevent(...MINIMAL_EVENT.PUBLISH),
        'END:VCALENDAR',
      ].join('\n'),
    );
    expect(messages('PUBLISH', cal)).toEqual([
      'PUBLISH: VERSION must be 2.0 (found 1.0) — RFC 5546 §3.1.1',
    ]);
  });

  it('all VEVENTs share one UID (REQUEST, REPLY, CANCEL, DECLINECOUNTER), reported on the odd one', () => {
    const other = MINIMAL_EVENT.CANCEL.map((p) => (p === UID ? 'UID:other@example.com' : p));
    const cal = calendar('CANCEL', vevent(...MINIMAL_EVENT.CANCEL), vevent(...other));
    expect(checkItipPresence('CANCEL', cal)).toMatchObject([
      {
        component: 'VEVENT',
        componentLine: 11,
        name: 'UID',
        found: 2,
        message:
          'CANCEL: every VEVENT must have the same UID; this one has "other@example.com", the first has "meeting-1@example.com" — RFC 5546 §3.2.5',
      },
    ]);
    // PUBLISH has no such comment: a feed of unrelated events is fine.
    const publish = MINIMAL_EVENT.PUBLISH.map((p) => (p === UID ? 'UID:other@example.com' : p));
    expect(
      messages(
        'PUBLISH',
        calendar('PUBLISH', vevent(...MINIMAL_EVENT.PUBLISH), vevent(...publish)),
      ),
    ).toEqual([]);
  });

  it('DTEND and DURATION exclude each other, reported once', () => {
    const cal = calendar(
      'REQUEST',
      vevent(...MINIMAL_EVENT.REQUEST, 'DTEND:20250110T110000Z', 'DURATION:PT1H'),
    );
    expect(checkItipPresence('REQUEST', cal)).toMatchObject([
      {
        name: 'DTEND',
        message: 'REQUEST: VEVENT must not have both DTEND and DURATION — RFC 5546 §3.2.2',
      },
    ]);
  });

  it('VALARM DURATION and REPEAT go together', () => {
    const alarm = (...extra: string[]) => [
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'TRIGGER:-PT15M',
      ...extra,
      'END:VALARM',
    ];
    expect(
      messages(
        'PUBLISH',
        calendar('PUBLISH', vevent(...MINIMAL_EVENT.PUBLISH, ...alarm('DURATION:PT5M'))),
      ),
    ).toEqual(['PUBLISH: VALARM has DURATION without REPEAT; they go together — RFC 5546 §3.1.3']);
    expect(
      messages(
        'PUBLISH',
        calendar('PUBLISH', vevent(...MINIMAL_EVENT.PUBLISH, ...alarm('REPEAT:3'))),
      ),
    ).toEqual(['PUBLISH: VALARM has REPEAT without DURATION; they go together — RFC 5546 §3.1.3']);
  });

  it('STANDARD and DAYLIGHT: one at least, local DTSTART, not both RDATE and RRULE (erratum 3932)', () => {
    const bare = ['BEGIN:VTIMEZONE', 'TZID:Nowhere', 'END:VTIMEZONE'];
    expect(
      messages('REQUEST', calendar('REQUEST', bare, vevent(...MINIMAL_EVENT.REQUEST))),
    ).toEqual([
      'REQUEST: VTIMEZONE must have at least one STANDARD or DAYLIGHT (found 0) — RFC 5546 §3.1.2',
    ]);

    const broken = VTIMEZONE_PARIS.flatMap((l) => {
      if (l === 'DTSTART:19701025T030000') return ['DTSTART:19701025T030000Z'];
      if (l === 'DTSTART:19700329T020000') return ['DTSTART;TZID=Europe/Paris:19700329T020000'];
      if (l.startsWith('RRULE:')) return [l, 'RDATE:19710101T000000'];
      return [l];
    });
    expect(
      messages('REQUEST', calendar('REQUEST', broken, vevent(...MINIMAL_EVENT.REQUEST))),
    ).toEqual([
      'REQUEST: STANDARD DTSTART must be a local time, without "Z" or TZID (found 19701025T030000Z) — RFC 5546 §3.1.2',
      'REQUEST: STANDARD must not have both RDATE and RRULE — RFC 5546 §3.1.2',
      'REQUEST: DAYLIGHT DTSTART must be a local time, without "Z" or TZID (found TZID=Europe/Paris:19700329T020000) — RFC 5546 §3.1.2',
      'REQUEST: DAYLIGHT must not have both RDATE and RRULE — RFC 5546 §3.1.2, erratum 3932',
    ]);
  });

  it('ADD: SEQUENCE must be greater than 0', () => {
    const event = MINIMAL_EVENT.ADD.map((p) => (p === 'SEQUENCE:1' ? 'SEQUENCE:0' : p));
    expect(messages('ADD', calendar('ADD', vevent(...event)))).toEqual([
      'ADD: VEVENT SEQUENCE must be greater than 0 (found 0) — RFC 5546 §3.2.4',
    ]);
  });

  it('CANCEL: a STATUS that is present must be CANCELLED', () => {
    expect(
      messages('CANCEL', calendar('CANCEL', vevent(...MINIMAL_EVENT.CANCEL, 'STATUS:CONFIRMED'))),
    ).toEqual([
      'CANCEL: VEVENT STATUS must be CANCELLED when present (found CONFIRMED) — RFC 5546 §3.2.5',
    ]);
    expect(
      messages('CANCEL', calendar('CANCEL', vevent(...MINIMAL_EVENT.CANCEL, 'STATUS:cancelled'))),
    ).toEqual([]);
  });

  it('STATUS values each table allows', () => {
    const withStatus = (method: ItipMethod, status: string) =>
      messages(method, calendar(method, vevent(...MINIMAL_EVENT[method], `STATUS:${status}`)));
    expect(withStatus('REQUEST', 'CANCELLED')).toEqual([
      'REQUEST: VEVENT STATUS must be one of TENTATIVE/CONFIRMED (found CANCELLED) — RFC 5546 §3.2.2',
    ]);
    expect(withStatus('PUBLISH', 'CANCELLED')).toEqual([]);
    expect(withStatus('PUBLISH', 'DONE')).toEqual([
      'PUBLISH: VEVENT STATUS must be one of TENTATIVE/CONFIRMED/CANCELLED (found DONE) — RFC 5546 §3.2.1',
    ]);
    // The RFC's COUNTER row misspells TENTATIVE; the real spelling is the one accepted.
    expect(withStatus('COUNTER', 'TENTATIVE')).toEqual([]);
    expect(withStatus('COUNTER', 'TENATIVE')).toEqual([
      'COUNTER: VEVENT STATUS must be one of CONFIRMED/TENTATIVE/CANCELLED (found TENATIVE) — RFC 5546 §3.2.7',
    ]);
    // REPLY's STATUS row has no comment.
    expect(withStatus('REPLY', 'CANCELLED')).toEqual([]);
  });

  it('RECURRENCE-ID needs a recurring master when the master is in the message', () => {
    const override = vevent(...MINIMAL_EVENT.REQUEST, 'RECURRENCE-ID:20250111T100000Z');
    const cal = calendar('REQUEST', vevent(...MINIMAL_EVENT.REQUEST), override);
    expect(messages('REQUEST', cal)).toEqual([
      'REQUEST: VEVENT has RECURRENCE-ID but the VEVENT it overrides (line 5) has no RRULE or RDATE — RFC 5546 §3.2.2',
    ]);
    const withRdate = calendar(
      'REQUEST',
      vevent(...MINIMAL_EVENT.REQUEST, 'RDATE:20250111T100000Z'),
      override,
    );
    expect(messages('REQUEST', withRdate)).toEqual([]);
    // An override sent alone cannot be judged.
    expect(messages('REQUEST', calendar('REQUEST', override))).toEqual([]);
  });
});

describe('findUnknownProperties', () => {
  it('lists names no table row gives, except X- names', () => {
    const cal = calendar(
      'REQUEST',
      ['X-WR-CALNAME:Team', 'NAME:Team'],
      vevent(
        ...MINIMAL_EVENT.REQUEST,
        'COLOR:red',
        'DUE:20250111T100000Z',
        'X-ALT-DESC:hi',
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'TRIGGER:-PT5M',
        'PROXIMITY:ARRIVE',
        'END:VALARM',
        'BEGIN:VLOCATION',
        'END:VLOCATION',
      ),
      ['BEGIN:VAVAILABILITY', 'END:VAVAILABILITY', 'BEGIN:X-THING', 'END:X-THING'],
    );
    expect(
      findUnknownProperties('REQUEST', cal).map((u) => `${u.component}/${u.name}@${u.line}`),
    ).toEqual([
      'VCALENDAR/NAME@6',
      'VEVENT/COLOR@14',
      'VEVENT/DUE@15',
      'VALARM/PROXIMITY@20',
      'VEVENT/VLOCATION@22',
      'VCALENDAR/VAVAILABILITY@25',
    ]);
    // Unknown is not a violation.
    expect(checkItipPresence('REQUEST', cal)).toEqual([]);
  });
});

describe('ITIP_PRESENCE transcription', () => {
  const rowsOf = (method: ItipMethod, component: string) =>
    (ITIP_PRESENCE[method][component] ?? []).map((r) => `${r.name} ${r.presence}`);
  const split = (s: string) => s.split(', ');

  // A second, independent transcription of the presence columns, row by row in RFC order.
  const VEVENT_ROWS: Record<ItipMethod, string> = {
    PUBLISH:
      'DTSTAMP 1, DTSTART 1, ORGANIZER 1, SUMMARY 1, UID 1, RECURRENCE-ID 0 or 1, SEQUENCE 0 or 1, ATTACH 0+, CATEGORIES 0+, CLASS 0 or 1, COMMENT 0+, CONTACT 0 or 1, CREATED 0 or 1, DESCRIPTION 0 or 1, DTEND 0 or 1, DURATION 0 or 1, EXDATE 0+, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RDATE 0+, RELATED-TO 0+, RESOURCES 0+, RRULE 0 or 1, STATUS 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, ATTENDEE 0, REQUEST-STATUS 0, VALARM 0+',
    REQUEST:
      'ATTENDEE 1+, DTSTAMP 1, DTSTART 1, ORGANIZER 1, SEQUENCE 0 or 1, SUMMARY 1, UID 1, ATTACH 0+, CATEGORIES 0+, CLASS 0 or 1, COMMENT 0+, CONTACT 0+, CREATED 0 or 1, DESCRIPTION 0 or 1, DTEND 0 or 1, DURATION 0 or 1, EXDATE 0+, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RDATE 0+, RECURRENCE-ID 0 or 1, RELATED-TO 0+, REQUEST-STATUS 0, RESOURCES 0+, RRULE 0 or 1, STATUS 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, VALARM 0+',
    REPLY:
      'ATTENDEE 1, DTSTAMP 1, ORGANIZER 1, RECURRENCE-ID 0 or 1, UID 1, SEQUENCE 0 or 1, ATTACH 0+, CATEGORIES 0+, CLASS 0 or 1, COMMENT 0+, CONTACT 0+, CREATED 0 or 1, DESCRIPTION 0 or 1, DTEND 0 or 1, DTSTART 0 or 1, DURATION 0 or 1, EXDATE 0+, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RDATE 0+, RELATED-TO 0+, RESOURCES 0+, REQUEST-STATUS 0+, RRULE 0 or 1, STATUS 0 or 1, SUMMARY 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, VALARM 0',
    ADD: 'DTSTAMP 1, DTSTART 1, ORGANIZER 1, SEQUENCE 1, SUMMARY 1, UID 1, ATTACH 0+, ATTENDEE 0+, CATEGORIES 0+, CLASS 0 or 1, COMMENT 0+, CONTACT 0+, CREATED 0 or 1, DESCRIPTION 0 or 1, DTEND 0 or 1, DURATION 0 or 1, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RELATED-TO 0+, RESOURCES 0+, STATUS 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, EXDATE 0, RECURRENCE-ID 0, REQUEST-STATUS 0, RDATE 0, RRULE 0, VALARM 0+',
    CANCEL:
      'ATTENDEE 0+, DTSTAMP 1, ORGANIZER 1, SEQUENCE 1, UID 1, COMMENT 0+, ATTACH 0+, CATEGORIES 0+, CLASS 0 or 1, CONTACT 0+, CREATED 0 or 1, DESCRIPTION 0 or 1, DTEND 0 or 1, DTSTART 0 or 1, DURATION 0 or 1, EXDATE 0+, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RDATE 0+, RECURRENCE-ID 0 or 1, RELATED-TO 0+, RESOURCES 0+, RRULE 0 or 1, STATUS 0 or 1, SUMMARY 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, REQUEST-STATUS 0, VALARM 0',
    REFRESH:
      'ATTENDEE 1, DTSTAMP 1, ORGANIZER 1, UID 1, COMMENT 0+, RECURRENCE-ID 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, ATTACH 0, CATEGORIES 0, CLASS 0, CONTACT 0, CREATED 0, DESCRIPTION 0, DTEND 0, DTSTART 0, DURATION 0, EXDATE 0, GEO 0, LAST-MODIFIED 0, LOCATION 0, PRIORITY 0, RDATE 0, RELATED-TO 0, REQUEST-STATUS 0, RESOURCES 0, RRULE 0, SEQUENCE 0, STATUS 0, SUMMARY 0, TRANSP 0, URL 0, VALARM 0',
    COUNTER:
      'DTSTAMP 1, DTSTART 1, ORGANIZER 1, SEQUENCE 1, SUMMARY 1, UID 1, ATTACH 0+, ATTENDEE 0+, CATEGORIES 0+, CLASS 0 or 1, COMMENT 0+, CONTACT 0+, CREATED 0 or 1, DESCRIPTION 0 or 1, DTEND 0 or 1, DURATION 0 or 1, EXDATE 0+, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RDATE 0+, RECURRENCE-ID 0 or 1, RELATED-TO 0+, REQUEST-STATUS 0+, RESOURCES 0+, RRULE 0 or 1, STATUS 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, VALARM 0+',
    DECLINECOUNTER:
      'ATTENDEE 1+, DTSTAMP 1, ORGANIZER 1, SEQUENCE 1, UID 1, ATTACH 0+, CATEGORIES 0+, CLASS 0 or 1, COMMENT 0+, CONTACT 0+, CREATED 0 or 1, DESCRIPTION 0 or 1, DTSTART 0 or 1, DTEND 0 or 1, DURATION 0 or 1, EXDATE 0+, GEO 0 or 1, LAST-MODIFIED 0 or 1, LOCATION 0 or 1, PRIORITY 0 or 1, RDATE 0+, RECURRENCE-ID 0 or 1, RELATED-TO 0+, REQUEST-STATUS 0+, RESOURCES 0+, RRULE 0 or 1, STATUS 0 or 1, SUMMARY 0 or 1, TRANSP 0 or 1, URL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+, VALARM 0',
  };

  const CALENDAR_PROPERTIES =
    'CALSCALE 0 or 1, PRODID 1, VERSION 1, IANA-PROPERTY 0+, X-PROPERTY 0+';
  const CALENDAR_COMPONENTS: Record<ItipMethod, string> = {
    PUBLISH:
      'VEVENT 1+, VFREEBUSY 0, VJOURNAL 0, VTODO 0, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+',
    REQUEST:
      'VEVENT 1+, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+, VFREEBUSY 0, VJOURNAL 0, VTODO 0',
    REPLY:
      'VEVENT 1+, VTIMEZONE 0 or 1, IANA-COMPONENT 0+, X-COMPONENT 0+, VFREEBUSY 0, VJOURNAL 0, VTODO 0',
    ADD: 'VEVENT 1, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+, VFREEBUSY 0, VTODO 0, VJOURNAL 0',
    CANCEL:
      'VEVENT 1+, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+, VTODO 0, VJOURNAL 0, VFREEBUSY 0',
    REFRESH:
      'VEVENT 1, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+, VTODO 0, VJOURNAL 0, VFREEBUSY 0',
    COUNTER:
      'VEVENT 1, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+, VTODO 0, VJOURNAL 0, VFREEBUSY 0',
    DECLINECOUNTER:
      'VEVENT 1+, VTIMEZONE 0+, IANA-COMPONENT 0+, X-COMPONENT 0+, VFREEBUSY 0, VJOURNAL 0, VTODO 0',
  };

  const TZ_RULE =
    'COMMENT 0+, DTSTART 1, RDATE 0+, RRULE 0 or 1, TZNAME 0+, TZOFFSETFROM 1, TZOFFSETTO 1, IANA-PROPERTY 0+, X-PROPERTY 0+';
  const COMMON: Record<string, string> = {
    VTIMEZONE:
      'DAYLIGHT 0+, LAST-MODIFIED 0 or 1, STANDARD 0+, TZID 1, TZURL 0 or 1, IANA-PROPERTY 0+, X-PROPERTY 0+',
    STANDARD: TZ_RULE,
    DAYLIGHT: TZ_RULE,
    VALARM:
      'ACTION 1, ATTACH 0+, ATTENDEE 0+, DESCRIPTION 0 or 1, DURATION 0 or 1, REPEAT 0 or 1, SUMMARY 0 or 1, TRIGGER 1, IANA-PROPERTY 0+, X-PROPERTY 0+',
  };

  it.each(ITIP_METHODS)('%s VEVENT rows match the RFC', (method) => {
    expect(rowsOf(method, 'VEVENT')).toEqual(split(VEVENT_ROWS[method]));
  });

  it.each(ITIP_METHODS)('%s VCALENDAR rows match the RFC', (method) => {
    expect(rowsOf(method, 'VCALENDAR')).toEqual([
      'METHOD 1',
      ...split(CALENDAR_PROPERTIES),
      ...split(CALENDAR_COMPONENTS[method]),
    ]);
  });

  it.each(ITIP_METHODS)('%s shares the §3.1.2 and §3.1.3 tables', (method) => {
    for (const [component, rows] of Object.entries(COMMON)) {
      expect(rowsOf(method, component)).toEqual(split(rows));
    }
    expect(Object.keys(ITIP_PRESENCE[method]).sort()).toEqual([
      'DAYLIGHT',
      'STANDARD',
      'VALARM',
      'VCALENDAR',
      'VEVENT',
      'VTIMEZONE',
    ]);
  });

  it('core rows, spelled out', () => {
    const find = (method: ItipMethod, component: string, name: string) =>
      ITIP_PRESENCE[method][component]?.find((r) => r.name === name);
    const expectRow = (
      method: ItipMethod,
      component: string,
      name: string,
      row: Omit<PresenceRow, 'name'>,
    ) => expect(find(method, component, name)).toEqual({ name, ...row });
    expectRow('REQUEST', 'VEVENT', 'DTSTAMP', { presence: '1', kind: 'property' });
    expectRow('REQUEST', 'VEVENT', 'SEQUENCE', {
      presence: '0 or 1',
      kind: 'property',
      comment: 'MUST be present if value is greater than 0; MAY be present if 0.',
    });
    expectRow('REQUEST', 'VCALENDAR', 'VTIMEZONE', {
      presence: '0+',
      kind: 'component',
      comment: 'MUST be present if any date/time refers to a timezone.',
    });
    expectRow('REPLY', 'VEVENT', 'ATTENDEE', {
      presence: '1',
      kind: 'property',
      comment: 'MUST be the address of the Attendee replying.',
    });
    expectRow('CANCEL', 'VEVENT', 'STATUS', {
      presence: '0 or 1',
      kind: 'property',
      comment:
        'MUST be set to CANCELLED to cancel the entire event. If uninviting specific Attendees, then MUST NOT be included.',
    });
    expectRow('REFRESH', 'VCALENDAR', 'VTIMEZONE', { presence: '0+', kind: 'component' });
    expectRow('PUBLISH', 'VCALENDAR', 'METHOD', {
      presence: '1',
      kind: 'property',
      comment: 'MUST equal PUBLISH.',
    });
    // Erratum 3932 gives DAYLIGHT the RDATE/RRULE comments STANDARD always had.
    expectRow('REPLY', 'DAYLIGHT', 'RDATE', {
      presence: '0+',
      kind: 'property',
      comment: 'If present, RRULE MUST NOT be present.',
    });
    expectRow('REPLY', 'STANDARD', 'DTSTART', {
      presence: '1',
      kind: 'property',
      comment: 'MUST be local time format.',
    });
  });

  it('every comment is either checked or knowingly left as data', () => {
    const DATA_ONLY = new Set([
      'Can be null.',
      'MUST be present if value is greater than 0; MAY be present if 0.',
      'If non-zero, MUST be the sequence number of the original REQUEST. MAY be present if 0.',
      'MUST echo the original SEQUENCE number. MUST be present if non-zero. MAY be present if zero.',
      'MUST echo the original SEQUENCE number.',
      'MUST be present if any date/time refers to a timezone.',
      'MUST be the address of the Attendee replying.',
      'MUST be the address of requester.',
      'MUST be the UID of the original REQUEST.',
      'MUST be the UID associated with original REQUEST.',
      'MUST be the UID associated with the REQUEST being countered.',
      'MUST match that of the original event.',
      'MUST echo original UID.',
      'MUST be the Organizer of the original event.',
      'Can also be used to propose other Attendees.',
      'MUST for all Attendees.',
      'MUST include some or all Attendees being removed from the event. MUST include some or all Attendees if the entire event is cancelled.',
    ]);
    const comments = new Set(
      ITIP_METHODS.flatMap((m) =>
        Object.values(ITIP_PRESENCE[m]).flatMap((rows) => rows.flatMap((r) => r.comment ?? [])),
      ),
    );
    expect([...comments].filter((c) => !CHECKED_COMMENTS.has(c) && !DATA_ONLY.has(c))).toEqual([]);
    // A check keyed on a comment that no row carries would never run.
    expect([...CHECKED_COMMENTS].filter((c) => !comments.has(c))).toEqual([]);
    expect([...DATA_ONLY].filter((c) => !comments.has(c))).toEqual([]);
  });

  it('sections and method names', () => {
    expect(ITIP_SECTIONS).toEqual({
      PUBLISH: '3.2.1',
      REQUEST: '3.2.2',
      REPLY: '3.2.3',
      ADD: '3.2.4',
      CANCEL: '3.2.5',
      REFRESH: '3.2.6',
      COUNTER: '3.2.7',
      DECLINECOUNTER: '3.2.8',
    });
    expect(isItipMethod('DECLINECOUNTER')).toBe(true);
    expect(isItipMethod('PUBLISH-X')).toBe(false);
  });
});
