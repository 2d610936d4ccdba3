/**
 * The RFC 5545 / RFC 5546 rules beyond their one hand-made fixture each: what must not fire (legal
 * variants, other rules' defects), how findings are worded and located, which clients they touch,
 * and caps on hostile input. Inputs are the clean simple-meeting invitation with one change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect, inspectCalendar, inspectMessage } from '../../src/inspect/inspect-engine.ts';
import type { Finding, InspectReport } from '../../src/inspect/inspect-types.ts';
import { ICALENDAR_RULES } from '../../src/inspect/rules/icalendar-rules.ts';

const fixture = (p: string) =>
  readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');
const ICS = fixture('invites/simple-meeting/expected.ics');
const EML = fixture('invites/simple-meeting/expected.eml');

const START = 'DTSTART;TZID=Europe/Berlin:20261201T100000';
const END = 'DTEND;TZID=Europe/Berlin:20261201T110000';

/** Replaces every occurrence, and fails when there is none (a silent no-op would prove nothing). */
function sub(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`not in the input: ${String(from)}`);
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
}
const withoutVtimezone = (text: string) =>
  text.replace(/BEGIN:VTIMEZONE\r\n[\s\S]*?END:VTIMEZONE\r\n/g, '');
const rules = (report: InspectReport) => [...new Set(report.findings.map((f) => f.rule))].sort();
const of = (report: InspectReport, rule: string): Finding[] =>
  report.findings.filter((f) => f.rule === rule);
const outcomes = (report: InspectReport) =>
  Object.fromEntries(report.clients.map((c) => [c.client, c.outcome]));

describe('itip-presence', () => {
  it('reports a table violation with its path, line and RFC section', () => {
    const report = inspectCalendar(
      sub(ICS, 'STATUS:CONFIRMED\r\n', 'STATUS:CONFIRMED\r\nREQUEST-STATUS:2.0;Success\r\n'),
    );
    expect(of(report, 'itip-presence')).toEqual([
      expect.objectContaining({
        severity: 'error',
        path: 'calendar/VEVENT[0]/REQUEST-STATUS',
        line: 36,
        message: 'REQUEST: VEVENT must have no REQUEST-STATUS (found 1) — RFC 5546 §3.2.2',
      }),
    ]);
  });

  it('does not apply the PUBLISH table to a standalone .ics export, but does to a PUBLISH email', () => {
    const publish = sub(ICS, 'METHOD:REQUEST', 'METHOD:PUBLISH').replace(/ORGANIZER[^\r]*\r\n/, '');
    expect(rules(inspectCalendar(publish))).not.toContain('itip-presence');
    const email = sub(
      sub(EML, 'METHOD:REQUEST', 'METHOD:PUBLISH'),
      'method=REQUEST',
      'method=PUBLISH',
    );
    expect(of(inspectMessage(email), 'itip-presence').map((f) => f.message)).toEqual([
      'PUBLISH: VEVENT must have no ATTENDEE (found 1) — RFC 5546 §3.2.1',
    ]);
  });

  it('leaves defects other rules own to them', () => {
    const cases: [string, string][] = [
      [
        sub(ICS, 'SUMMARY:Project kick-off\r\n', 'SUMMARY:A\r\nSUMMARY:B\r\n'),
        'duplicate-property',
      ],
      [ICS.replace(/ORGANIZER[^\r]*\r\n/, ''), 'no-organizer'],
      [sub(ICS, `${END}\r\n`, `${END}\r\nDURATION:PT1H\r\n`), 'dtend-and-duration'],
      [sub(ICS, 'STATUS:CONFIRMED', 'STATUS:CANCELLED'), 'request-status-cancelled'],
      [sub(ICS, 'TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n', ''), 'vtimezone-unusable'],
      [
        sub(ICS, /BEGIN:STANDARD[\s\S]*END:DAYLIGHT\r\n|BEGIN:DAYLIGHT[\s\S]*END:STANDARD\r\n/, ''),
        'vtimezone-unusable',
      ],
    ];
    for (const [input, owner] of cases) {
      const found = rules(inspectCalendar(input));
      expect(found, owner).toContain(owner);
      expect(found, owner).not.toContain('itip-presence');
    }
  });

  it('reports what only the tables forbid: two ATTENDEEs in a REPLY, different UIDs in a REQUEST', () => {
    const reply = sub(
      sub(ICS, 'METHOD:REQUEST', 'METHOD:REPLY'),
      'STATUS:CONFIRMED',
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\nSTATUS:CONFIRMED',
    );
    expect(of(inspectCalendar(reply), 'itip-presence').map((f) => f.message)).toEqual([
      'REPLY: VEVENT must have exactly one ATTENDEE (found 2) — RFC 5546 §3.2.3',
    ]);
    const event = ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VCALENDAR'));
    const twoUids = ICS.replace(
      'END:VCALENDAR',
      `${sub(event, 'UID:simple-meeting@example.com', 'UID:other@example.com')}END:VCALENDAR`,
    );
    const findings = of(inspectCalendar(twoUids), 'itip-presence');
    expect(findings.map((f) => [f.path, f.line])).toEqual([['calendar/VEVENT[1]/UID', 41]]);
  });

  it('caps its findings at 20 plus a summary', () => {
    const event = sub(
      ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VCALENDAR')),
      'STATUS:CONFIRMED\r\n',
      'STATUS:CONFIRMED\r\nREQUEST-STATUS:2.0;Success\r\n',
    );
    const many = ICS.slice(0, ICS.indexOf('BEGIN:VEVENT')) + event.repeat(30) + 'END:VCALENDAR\r\n';
    const findings = of(inspectCalendar(many), 'itip-presence');
    expect(findings).toHaveLength(21);
    expect(findings[20]?.message).toBe('…and 10 more REQUEST restriction-table violations');
  });
});

describe('missing-method and unknown-method', () => {
  it('a standalone .ics without METHOD is a calendar to import, not an error', () => {
    expect(inspectCalendar(sub(ICS, 'METHOD:REQUEST\r\n', '')).findings).toEqual([]);
  });

  it('an email without METHOD is reported, with or without method=', () => {
    const noMethod = sub(EML, 'METHOD:REQUEST\r\n', '');
    expect(of(inspectMessage(noMethod), 'missing-method')[0]?.message).toBe(
      'the calendar in part 1.3 has no METHOD (the part says method=REQUEST)',
    );
    const neither = sub(noMethod, '; method=REQUEST', '');
    expect(of(inspectMessage(neither), 'missing-method')[0]?.message).toBe(
      'the calendar in part 1.3 has no METHOD, and the part no method= parameter',
    );
  });

  it('an .ics merely attached (no method=) is a file to import: calendar-only-attachment says it', () => {
    const attached = [
      'From: a@example.com',
      'To: b@example.com',
      'Subject: calendar',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      'Content-Type: text/calendar; name="event.ics"',
      'Content-Disposition: attachment; filename="event.ics"',
      '',
      sub(ICS, 'METHOD:REQUEST\r\n', '').trimEnd(),
      '--b--',
      '',
    ].join('\r\n');
    const found = rules(inspectMessage(attached));
    expect(found).toContain('calendar-only-attachment');
    expect(found).not.toContain('missing-method');
  });

  it('unknown and experimental methods are errors; the tables are then not applied', () => {
    const xyz = inspectCalendar(sub(ICS, 'METHOD:REQUEST', 'METHOD:xyz'));
    expect(of(xyz, 'unknown-method')).toEqual([
      expect.objectContaining({ path: 'calendar/METHOD', line: 4, severity: 'error' }),
    ]);
    expect(of(xyz, 'unknown-method')[0]?.message).toBe('METHOD is "XYZ" (not an iTIP method)');
    expect(rules(xyz)).toEqual(['unknown-method']);
    const experimental = inspectCalendar(sub(ICS, 'METHOD:REQUEST', 'METHOD:X-INVITE'));
    expect(of(experimental, 'unknown-method')[0]?.message).toContain('X- method is allowed');
    expect(rules(inspectCalendar(sub(ICS, 'METHOD:REQUEST', 'METHOD:request')))).toEqual([]);
  });
});

describe('no-event', () => {
  it('is a warning without client effects for a free/busy .ics', () => {
    const report = inspect(fixture('calendars/node-ical/vfreebusy-zimbra.ics'));
    expect(of(report, 'no-event')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: 'the calendar in calendar has no VEVENT (it holds only VFREEBUSY)',
      }),
    ]);
    expect(of(report, 'no-event')[0]?.clients).toBeUndefined();
  });

  it('the VFREEBUSY REPLY of the corpus gets the warning and no table findings', () => {
    const report = inspect(
      fixture(
        'calendars/python-icalendar/issue_27_multiple_periods_in_freebusy_multiple_freebusies.ics',
      ),
    );
    expect(of(report, 'no-event').map((f) => f.severity)).toEqual(['warning']);
    expect(rules(report)).not.toContain('itip-presence');
  });
});

describe('tzid-without-vtimezone and windows-tzid', () => {
  it('an unknown zone name without VTIMEZONE misleads every client', () => {
    const report = inspectCalendar(sub(withoutVtimezone(ICS), 'Europe/Berlin', 'Team Zone'));
    expect(of(report, 'tzid-without-vtimezone')).toEqual([
      expect.objectContaining({
        message: 'TZID "Team Zone" (used 2×) has no VTIMEZONE; no client can tell which zone it is',
        line: 9,
        clients: ['outlook', 'gmail', 'apple', 'thunderbird'],
      }),
    ]);
    expect(Object.values(outcomes(report))).toEqual([
      'degraded',
      'degraded',
      'degraded',
      'degraded',
    ]);
  });

  it('a Windows name without VTIMEZONE: both rules, the mapping named', () => {
    const report = inspectCalendar(
      sub(withoutVtimezone(ICS), 'Europe/Berlin', 'W. Europe Standard Time'),
    );
    expect(of(report, 'tzid-without-vtimezone')[0]?.message).toContain('looks like Europe/Berlin');
    expect(of(report, 'tzid-without-vtimezone')[0]?.clients).toEqual(['outlook']);
    expect(of(report, 'windows-tzid').map((f) => [f.severity, f.message])).toEqual([
      [
        'info',
        'TZID "W. Europe Standard Time" is a Windows zone name (Europe/Berlin in IANA terms)',
      ],
    ]);
  });

  it('matches an escaped VTIMEZONE TZID with the quoted parameter (Exchange)', () => {
    const tzid = '(UTC+01:00) Amsterdam, Berlin';
    let text = sub(ICS, 'TZID:Europe/Berlin', `TZID:${tzid.replace(/,/g, '\\,')}`);
    text = sub(text, 'TZID=Europe/Berlin', `TZID="${tzid}"`);
    expect(rules(inspectCalendar(text))).not.toContain('tzid-without-vtimezone');
  });

  it('IANA and prefixed (Mozilla) names are not Windows names', () => {
    expect(rules(inspectCalendar(ICS))).toEqual([]);
    const mozilla = sub(ICS, 'Europe/Berlin', '/mozilla.org/20050126_1/Europe/Berlin');
    expect(rules(inspectCalendar(mozilla))).not.toContain('windows-tzid');
  });

  it('reports each missing TZID once, at most 20 and a summary', () => {
    const event = ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VCALENDAR'));
    const events = Array.from({ length: 25 }, (_, i) => event.split('Europe/Berlin').join(`Z${i}`));
    const text = ICS.slice(0, ICS.indexOf('BEGIN:VEVENT')) + events.join('') + 'END:VCALENDAR\r\n';
    const findings = of(inspectCalendar(text), 'tzid-without-vtimezone');
    expect(findings).toHaveLength(21);
    expect(findings[20]?.message).toBe('…and 5 more TZIDs without a VTIMEZONE');
  });
});

describe('floating-time', () => {
  const floating = sub(
    sub(withoutVtimezone(ICS), START, 'DTSTART:20261201T100000'),
    END,
    'DTEND:20261201T110000',
  );

  it('names the floating properties of each event', () => {
    expect(of(inspectCalendar(floating), 'floating-time')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path: 'calendar/VEVENT[0]/DTSTART',
        message:
          'DTSTART, DTEND of VEVENT 0 are floating times (DTSTART:20261201T100000) in a REQUEST',
      }),
    ]);
  });

  it('a floating EXDATE counts too', () => {
    const exdate = sub(
      ICS,
      `${END}\r\n`,
      `${END}\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20261202T100000\r\n`,
    );
    expect(of(inspectCalendar(exdate), 'floating-time')[0]?.message).toContain(
      'EXDATE of VEVENT 0 is',
    );
  });

  it('never fires for all-day events, UTC times, PUBLISH, or a .ics without METHOD', () => {
    const allDay = inspect(fixture('invites/all-day/expected.ics'));
    expect(rules(allDay)).not.toContain('floating-time');
    const bareDate = sub(sub(ICS, START, 'DTSTART:20261201'), END, 'DTEND:20261202');
    expect(rules(inspectCalendar(bareDate))).not.toContain('floating-time');
    expect(rules(inspect(fixture('invites/utc-times/expected.ics')))).toEqual([]);
    expect(rules(inspectCalendar(sub(floating, 'METHOD:REQUEST', 'METHOD:PUBLISH')))).toEqual([]);
    expect(rules(inspectCalendar(sub(floating, 'METHOD:REQUEST\r\n', '')))).toEqual([]);
  });
});

describe('end-not-after-start and mixed-date-types', () => {
  const withTimes = (start: string, end: string) => sub(sub(ICS, START, start), END, end);

  it('compares instants across zones when both resolve', () => {
    // 10:00 Berlin = 09:00Z; 10:30 New York = 15:30Z: later, although the wall clock says 10:30.
    const later = withTimes(START, 'DTEND;TZID=America/New_York:20261201T103000');
    expect(rules(inspectCalendar(later))).not.toContain('end-not-after-start');
    // 10:00 New York = 15:00Z; 11:00 Berlin = 10:00Z: before, although the wall clock says after.
    const earlier = withTimes('DTSTART;TZID=America/New_York:20261201T100000', END);
    expect(of(inspectCalendar(earlier), 'end-not-after-start')[0]?.message).toBe(
      'VEVENT 0: DTEND 20261201T110000 is before DTSTART 20261201T100000',
    );
  });

  it('an all-day event that ends on its start day, and a timed one of zero length, are errors', () => {
    const sameDay = withTimes('DTSTART;VALUE=DATE:20261201', 'DTEND;VALUE=DATE:20261201');
    expect(of(inspectCalendar(sameDay), 'end-not-after-start')[0]?.message).toBe(
      'VEVENT 0: DTEND 20261201 is equal to DTSTART 20261201',
    );
    const nextDay = withTimes('DTSTART;VALUE=DATE:20261201', 'DTEND;VALUE=DATE:20261202');
    expect(rules(inspectCalendar(nextDay))).toEqual([]);
    const zero = withTimes(START, 'DTEND;TZID=Europe/Berlin:20261201T100000');
    expect(rules(inspectCalendar(zero))).toEqual(['end-not-after-start']);
  });

  it('a negative DURATION, or a zero one on an all-day event; a zero timed DURATION is fine', () => {
    const negative = sub(ICS, `${END}\r\n`, 'DURATION:-PT1H\r\n');
    expect(of(inspectCalendar(negative), 'end-not-after-start')).toEqual([
      expect.objectContaining({
        path: 'calendar/VEVENT[0]/DURATION',
        message: 'VEVENT 0: DURATION -PT1H is negative',
      }),
    ]);
    const allDayZero = sub(
      sub(ICS, START, 'DTSTART;VALUE=DATE:20261201'),
      `${END}\r\n`,
      'DURATION:P0D\r\n',
    );
    expect(rules(inspectCalendar(allDayZero))).toEqual(['end-not-after-start']);
    expect(rules(inspectCalendar(sub(ICS, `${END}\r\n`, 'DURATION:PT0S\r\n')))).toEqual([]);
  });

  it('mixed value types go to mixed-date-types, never to end-not-after-start', () => {
    const floatingStart = sub(ICS, START, 'DTSTART:20261201T120000');
    const report = inspectCalendar(floatingStart);
    expect(of(report, 'mixed-date-types')[0]?.message).toBe(
      'VEVENT 0: DTSTART is a floating DATE-TIME (no Z, no TZID) but DTEND is a DATE-TIME in UTC or with TZID',
    );
    expect(rules(report)).not.toContain('end-not-after-start');
    const utcAndZoned = sub(ICS, START, 'DTSTART:20261201T090000Z');
    expect(rules(inspectCalendar(utcAndZoned))).toEqual([]);
  });

  it('stays capped and fast on thousands of broken events', () => {
    const event = sub(
      ICS.slice(ICS.indexOf('BEGIN:VEVENT'), ICS.indexOf('END:VCALENDAR')),
      END,
      'DTEND;TZID=Europe/Berlin:20261201T090000',
    );
    const text =
      ICS.slice(0, ICS.indexOf('BEGIN:VEVENT')) + event.repeat(3000) + 'END:VCALENDAR\r\n';
    const started = performance.now();
    const report = inspectCalendar(text, { timeLimitMs: 60_000 });
    expect(performance.now() - started).toBeLessThan(15_000);
    const findings = of(report, 'end-not-after-start');
    expect(findings).toHaveLength(21);
    expect(findings[20]?.message).toBe('…and 2980 more VEVENTs that end before they start');
  });
});

describe('vtimezone-unusable', () => {
  it('a broken VTIMEZONE nothing refers to changes no verdict', () => {
    const extra = 'BEGIN:VTIMEZONE\r\nTZID:Unused\r\nEND:VTIMEZONE\r\n';
    const report = inspectCalendar(sub(ICS, 'BEGIN:VEVENT', `${extra}BEGIN:VEVENT`));
    expect(of(report, 'vtimezone-unusable')).toEqual([
      expect.objectContaining({
        path: 'calendar/VTIMEZONE[1]',
        message: 'VTIMEZONE "Unused": no STANDARD or DAYLIGHT sub-component (no time refers to it)',
      }),
    ]);
    expect(of(report, 'vtimezone-unusable')[0]?.clients).toBeUndefined();
  });

  it('a malformed offset is reported without an Outlook effect (Outlook approximates it)', () => {
    const report = inspectCalendar(sub(ICS, 'TZOFFSETTO:+0100', 'TZOFFSETTO:+1:00'));
    expect(of(report, 'vtimezone-unusable')[0]?.message).toBe(
      'VTIMEZONE "Europe/Berlin": STANDARD (line 15) TZOFFSETTO "+1:00" is not an offset',
    );
    expect(outcomes(report)['outlook']).toBe('invitation');
  });
});

describe('invalid-rrule', () => {
  const rrule = (value: string, text = ICS) =>
    sub(text, `${END}\r\n`, `${END}\r\nRRULE:${value}\r\n`);
  const problems = (text: string) =>
    of(inspectCalendar(text), 'invalid-rrule').map((f) => f.message);

  it('names each problem', () => {
    expect(problems(rrule('COUNT=3;BYDAY=MO, TU;FOO=1'))).toEqual([
      'RRULE:COUNT=3;BYDAY=MO, TU;FOO=1 — BYDAY=MO, TU is invalid (" TU"); unknown part FOO; no FREQ',
    ]);
    expect(problems(rrule('FREQ=WEEKLY;UNTIL=20270101'))).toEqual([
      'RRULE:FREQ=WEEKLY;UNTIL=20270101 — UNTIL=20270101 must be a UTC date-time (…Z)',
    ]);
    expect(problems(rrule('FREQ=WEEKLY;INTERVAL=0;FREQ=DAILY'))).toEqual([
      'RRULE:FREQ=WEEKLY;INTERVAL=0;FREQ=DAILY — INTERVAL=0 is invalid ("0"); FREQ appears twice',
    ]);
  });

  it('UNTIL follows DTSTART: DATE for all-day, local for floating, UTC in VTIMEZONE rules', () => {
    const allDay = sub(
      sub(ICS, START, 'DTSTART;VALUE=DATE:20261201'),
      END,
      'DTEND;VALUE=DATE:20261202',
    );
    const allDayEnd = 'DTEND;VALUE=DATE:20261202';
    const withRule = (value: string) =>
      sub(allDay, `${allDayEnd}\r\n`, `${allDayEnd}\r\nRRULE:${value}\r\n`);
    expect(problems(withRule('FREQ=DAILY;UNTIL=20261210'))).toEqual([]);
    expect(problems(withRule('FREQ=DAILY;UNTIL=20261210T000000Z'))[0]).toContain('must be a DATE');
    const zoneRule = sub(
      ICS,
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20301027T030000',
    );
    expect(of(inspectCalendar(zoneRule), 'invalid-rrule')[0]?.path).toBe(
      'calendar/VTIMEZONE[0]/STANDARD[0]/RRULE',
    );
  });

  it('accepts valid rules, RFC 7529 parts and X- parts', () => {
    expect(problems(rrule('FREQ=MONTHLY;BYDAY=-1FR;COUNT=6;WKST=MO'))).toEqual([]);
    expect(
      problems(rrule('FREQ=YEARLY;RSCALE=GREGORIAN;SKIP=FORWARD;BYMONTHDAY=29;BYMONTH=2;X-FOO=1')),
    ).toEqual([]);
    expect(rules(inspect(fixture('invites/weekly-recurrence/expected.ics')))).toEqual([]);
  });
});

describe('our own output', () => {
  const MINE = new Set(ICALENDAR_RULES.map((r) => r.id));
  const invites = readdirSync(new URL('../../fixtures/invites/', import.meta.url));
  it.each(invites)('%s raises none of these rules (as .eml and .ics)', (name) => {
    for (const file of ['expected.eml', 'expected.ics']) {
      const report = inspect(fixture(`invites/${name}/${file}`));
      expect(report.findings.filter((f) => MINE.has(f.rule)).map((f) => f.message)).toEqual([]);
    }
  });
});
