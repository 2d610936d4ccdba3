/**
 * Client-behaviour rules: edge cases beyond the one hand-made fixture per rule (corpus.test.ts).
 * Inputs are the clean simple-meeting calendar with one thing changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect, inspectCalendar, inspectMessage } from '../../src/inspect/inspect-engine.ts';
import type { InspectOptions, InspectReport } from '../../src/inspect/inspect-types.ts';
import { CLIENT_RULES } from '../../src/inspect/rules/client-rules.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url));
const SIMPLE = fixture('invites/simple-meeting/expected.ics').toString('utf8');
const CANCEL = fixture('invites/cancel/expected.ics').toString('utf8');
const CLIENT_IDS = new Set(CLIENT_RULES.map((r) => r.id));

const ADA =
  'ATTENDEE;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=\r\n TRUE;CN="Ada Lovelace":MAILTO:ada@example.com\r\n';
const ORGANIZER = 'ORGANIZER;CN="Olga Organizer":mailto:olga@example.com\r\n';

function edit(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`test input: ${String(from)} not found`);
  return text.replace(from, to);
}

/** The calendar with its ATTENDEE lines replaced (unfolded lines are fine for the scanner). */
const withAttendees = (...lines: string[]) =>
  edit(SIMPLE, ADA, lines.map((l) => `${l}\r\n`).join(''));

const withMethod = (text: string, method: string) =>
  edit(text, 'METHOD:REQUEST\r\n', `METHOD:${method}\r\n`);

function check(text: string, options: InspectOptions = {}): InspectReport {
  return inspectCalendar(Buffer.from(text, 'utf8'), options);
}

/** Client-rule findings as `rule@path` (other batches' findings are not this file's business). */
function clientFindings(report: InspectReport): string[] {
  return report.findings.filter((f) => CLIENT_IDS.has(f.rule)).map((f) => `${f.rule}@${f.path}`);
}

function findings(report: InspectReport, rule: string) {
  return report.findings.filter((f) => f.rule === rule);
}

function outcome(report: InspectReport, client: string): string | undefined {
  return report.clients.find((c) => c.client === client)?.outcome;
}

describe('client rules: what must stay clean', () => {
  it('fires on none of our own invitations, with or without the first attendee as recipient', () => {
    const dir = new URL('../../fixtures/invites/', import.meta.url);
    for (const name of readdirSync(dir)) {
      const input = JSON.parse(fixture(`invites/${name}/input.json`).toString('utf8')) as {
        attendees?: { email: string }[];
      };
      const recipient = input.attendees?.[0]?.email;
      for (const file of ['expected.eml', 'expected.ics']) {
        const raw = fixture(`invites/${name}/${file}`);
        expect(clientFindings(inspect(raw)), `${name}/${file}`).toEqual([]);
        if (recipient !== undefined) {
          expect(clientFindings(inspect(raw, { recipient })), `${name}/${file}`).toEqual([]);
        }
      }
    }
  });

  it('needs options for the recipient and sequence rules', () => {
    expect(clientFindings(check(SIMPLE))).toEqual([]);
  });
});

describe('recipient-is-organizer', () => {
  it('matches the address case-insensitively, with or without mailto:', () => {
    for (const recipient of ['olga@example.com', 'MAILTO:Olga@Example.COM']) {
      const report = check(SIMPLE, { recipient });
      expect(clientFindings(report)).toEqual([
        'recipient-is-organizer@calendar/VEVENT[0]/ORGANIZER',
      ]);
      expect(outcome(report, 'outlook')).toBe('invitation-without-buttons');
    }
  });

  it('does not fire for a REPLY (or COUNTER, REFRESH), which goes to the organizer', () => {
    const reply = withAttendees(
      'ATTENDEE;PARTSTAT=ACCEPTED;CN="Ada Lovelace":mailto:ada@example.com',
    );
    for (const method of ['REPLY', 'COUNTER', 'REFRESH']) {
      expect(
        findings(
          check(withMethod(reply, method), { recipient: 'olga@example.com' }),
          'recipient-is-organizer',
        ),
      ).toEqual([]);
    }
  });

  it('reports a CANCEL to the organizer without claiming a client effect', () => {
    const report = check(CANCEL, { recipient: 'olga@example.com' });
    expect(findings(report, 'recipient-is-organizer')).toHaveLength(1);
    expect(findings(report, 'recipient-is-organizer')[0]?.clients).toBeUndefined();
    expect(outcome(report, 'outlook')).toBe('applied');
  });
});

describe('recipient-not-attendee', () => {
  it('fires once for a recipient missing from every VEVENT', () => {
    const report = check(SIMPLE, { recipient: 'grace@example.com' });
    expect(clientFindings(report)).toEqual(['recipient-not-attendee@calendar/VEVENT[0]']);
    expect(outcome(report, 'thunderbird')).toBe('degraded');
    expect(outcome(report, 'outlook')).toBe('invitation');
  });

  it('accepts the recipient listed in any VEVENT, in any case', () => {
    const override = edit(
      SIMPLE,
      'END:VEVENT\r\n',
      'END:VEVENT\r\nBEGIN:VEVENT\r\nUID:simple-meeting@example.com\r\nRECURRENCE-ID:20261201T090000Z\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\nSUMMARY:x\r\n' +
        ORGANIZER +
        'ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:Grace@Example.com\r\nEND:VEVENT\r\n',
    );
    expect(
      findings(check(override, { recipient: 'grace@EXAMPLE.com' }), 'recipient-not-attendee'),
    ).toEqual([]);
    expect(
      findings(check(SIMPLE, { recipient: 'ADA@example.com' }), 'recipient-not-attendee'),
    ).toEqual([]);
  });

  it('leaves the organizer, CANCEL, REPLY and attendee-less calendars alone', () => {
    const none = { recipient: 'grace@example.com' };
    expect(
      findings(check(SIMPLE, { recipient: 'olga@example.com' }), 'recipient-not-attendee'),
    ).toEqual([]);
    expect(findings(check(CANCEL, none), 'recipient-not-attendee')).toEqual([]);
    expect(findings(check(withMethod(SIMPLE, 'REPLY'), none), 'recipient-not-attendee')).toEqual(
      [],
    );
    expect(findings(check(edit(SIMPLE, ADA, ''), none), 'recipient-not-attendee')).toEqual([]);
  });
});

describe('no-rsvp', () => {
  it('looks at the recipient only when the recipient is known', () => {
    const text = withAttendees(
      'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ada@example.com',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:grace@example.com',
    );
    const grace = check(text, { recipient: 'grace@example.com' });
    expect(clientFindings(grace)).toEqual(['no-rsvp@calendar/VEVENT[0]/ATTENDEE']);
    expect(findings(grace, 'no-rsvp')[0]?.message).toMatch(/no RSVP parameter/);
    // Another attendee asks for answers: Outlook still sends one; Apple shows no buttons to Grace.
    expect(outcome(grace, 'outlook')).toBe('invitation');
    expect(outcome(grace, 'apple')).toBe('invitation-without-buttons');
    expect(findings(check(text, { recipient: 'ada@example.com' }), 'no-rsvp')).toEqual([]);
    // Unknown recipient: one attendee with RSVP=TRUE is enough.
    expect(findings(check(text), 'no-rsvp')).toEqual([]);
  });

  it('fires without a recipient when no attendee asked to answer has RSVP=TRUE', () => {
    const text = withAttendees(
      'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:ada@example.com',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:grace@example.com',
    );
    const report = check(text);
    expect(clientFindings(report)).toEqual(['no-rsvp@calendar/VEVENT[0]/ATTENDEE']);
    expect(outcome(report, 'outlook')).toBe('degraded');
    expect(outcome(report, 'thunderbird')).toBe('invitation');
    expect(outcome(report, 'gmail')).toBe('invitation');
  });

  it('ignores non-participants, rooms, resources and the organizer listed as attendee', () => {
    const text = withAttendees(
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:olga@example.com',
      'ATTENDEE;ROLE=NON-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:ada@example.com',
      'ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION:mailto:room@example.com',
      'ATTENDEE;CUTYPE=RESOURCE;PARTSTAT=NEEDS-ACTION:mailto:beamer@example.com',
    );
    expect(findings(check(text), 'no-rsvp')).toEqual([]);
    expect(findings(check(text, { recipient: 'ada@example.com' }), 'no-rsvp')).toEqual([]);
    expect(findings(check(text, { recipient: 'room@example.com' }), 'no-rsvp')).toEqual([]);
  });

  it('is only about REQUEST', () => {
    const text = withAttendees('ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ada@example.com');
    for (const method of ['CANCEL', 'ADD', 'PUBLISH']) {
      expect(findings(check(withMethod(text, method)), 'no-rsvp')).toEqual([]);
    }
  });
});

describe('no-partstat', () => {
  it('lists the attendees without PARTSTAT, a few by name', () => {
    const many = Array.from({ length: 6 }, (_, i) => `ATTENDEE;RSVP=TRUE:mailto:p${i}@example.com`);
    const report = check(withAttendees(...many));
    expect(findings(report, 'no-partstat').map((f) => f.message)).toEqual([
      'ATTENDEEs p0@example.com, p1@example.com, p2@example.com and 3 more have no PARTSTAT',
    ]);
    expect(outcome(report, 'apple')).toBe('degraded');
  });

  it('looks at the recipient only when the recipient is known', () => {
    const text = withAttendees(
      'ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:ada@example.com',
      'ATTENDEE;RSVP=TRUE:mailto:grace@example.com',
    );
    expect(findings(check(text, { recipient: 'ada@example.com' }), 'no-partstat')).toEqual([]);
    expect(findings(check(text, { recipient: 'grace@example.com' }), 'no-partstat')).toHaveLength(
      1,
    );
  });

  it('ignores rooms, non-participants, the organizer, and other methods', () => {
    const text = withAttendees(
      'ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:ada@example.com',
      'ATTENDEE:mailto:olga@example.com',
      'ATTENDEE;CUTYPE=ROOM;RSVP=TRUE:mailto:room@example.com',
      'ATTENDEE;ROLE=NON-PARTICIPANT:mailto:info@example.com',
    );
    expect(findings(check(text), 'no-partstat')).toEqual([]);
    const bare = withAttendees('ATTENDEE;RSVP=TRUE:mailto:ada@example.com');
    expect(findings(check(withMethod(bare, 'CANCEL')), 'no-partstat')).toEqual([]);
  });
});

describe('outlook-unsupported-recurrence', () => {
  const withRrule = (...lines: string[]) =>
    edit(
      SIMPLE,
      'SUMMARY:Project kick-off\r\n',
      `SUMMARY:Project kick-off\r\n${lines.map((l) => `${l}\r\n`).join('')}`,
    );
  const fired = (...lines: string[]) =>
    findings(check(withRrule(...lines)), 'outlook-unsupported-recurrence').map((f) => f.message);

  it('owns two RRULEs alone (itip-presence does not repeat it)', () => {
    const rules = check(
      withRrule('RRULE:FREQ=DAILY;COUNT=2', 'RRULE:FREQ=WEEKLY;COUNT=2'),
    ).findings.map((f) => f.rule);
    expect(rules).toEqual(['outlook-unsupported-recurrence']);
  });

  it.each([
    'RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3',
    'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270101T000000Z',
    'RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=6',
    'RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2',
    'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    'RRULE:FREQ=MONTHLY;BYMONTHDAY=-1',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'RRULE:FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=3;INTERVAL=3;COUNT=7',
    'RRULE:FREQ=WEEKLY',
  ])('accepts the Outlook template %s', (rrule) => {
    expect(fired(rrule)).toEqual([]);
  });

  it.each([
    ['RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15', /BYMONTHDAY=1,15 \(more than one value\)/],
    ['RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO', /more than one nth weekday/],
    ['RRULE:FREQ=MONTHLY;BYDAY=1MO,FR', /more than one nth weekday/],
    ['RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1,3', /BYSETPOS=1,3/],
    ['RRULE:FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR', /BYMONTHDAY together with BYDAY/],
    ['RRULE:FREQ=HOURLY;INTERVAL=4', /FREQ=HOURLY/],
    ['RRULE:FREQ=MINUTELY', /FREQ=MINUTELY/],
    ['RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', /BYWEEKNO/],
    ['RRULE:FREQ=YEARLY;BYYEARDAY=100', /BYYEARDAY/],
    ['RRULE:FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1', /BYMONTH=1,7/],
    ['RRULE:FREQ=DAILY;BYHOUR=9,17', /BYHOUR=9,17/],
    ['RDATE:20261208T090000Z', /RDATE without RRULE/],
  ])('rejects %s', (line, message) => {
    const messages = fired(line);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it('reports a second RRULE, and leaves RDATE with RRULE and malformed RRULEs alone', () => {
    expect(fired('RRULE:FREQ=WEEKLY;COUNT=2', 'RRULE:FREQ=DAILY;COUNT=2')).toEqual([
      'VEVENT 0 has 2 RRULEs; Outlook takes one recurrence pattern',
    ]);
    expect(fired('RRULE:FREQ=WEEKLY;COUNT=4', 'RDATE:20261208T090000Z')).toEqual([]);
    expect(fired('RRULE:COUNT=4;BYMONTHDAY=1,2')).toEqual([]);
    expect(fired('RRULE:FREQ=FORTNIGHTLY;BYMONTHDAY=1,2')).toEqual([]);
  });

  it('does not look at the VTIMEZONE rules, and pins the Outlook verdict', () => {
    const tz = edit(
      SIMPLE,
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'RRULE:FREQ=YEARLY;BYMONTH=3,4;BYDAY=-1SU',
    );
    expect(findings(check(tz), 'outlook-unsupported-recurrence')).toEqual([]);
    expect(outcome(check(withRrule('RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15')), 'outlook')).toBe(
      'attachment',
    );
  });

  it('caps hostile input: 20 findings and one summary, quickly', () => {
    const event = SIMPLE.slice(SIMPLE.indexOf('BEGIN:VEVENT'), SIMPLE.indexOf('END:VCALENDAR'));
    const bad = edit(
      event,
      'SUMMARY:Project kick-off\r\n',
      'SUMMARY:x\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=1,15\r\n',
    );
    const text = SIMPLE.replace('END:VCALENDAR', bad.repeat(3000) + 'END:VCALENDAR');
    const started = performance.now();
    const report = check(text, { timeLimitMs: 60_000 });
    const hits = findings(report, 'outlook-unsupported-recurrence');
    expect(hits).toHaveLength(21);
    expect(hits[20]?.message).toBe('…and 2980 more recurrences Outlook cannot represent');
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('request-status-cancelled / cancel-status-not-cancelled', () => {
  it('reports a REQUEST with STATUS:CANCELLED once, whatever the number of VEVENTs', () => {
    const event = SIMPLE.slice(SIMPLE.indexOf('BEGIN:VEVENT'), SIMPLE.indexOf('END:VCALENDAR'));
    const two = SIMPLE.replace('END:VCALENDAR', event + 'END:VCALENDAR').replaceAll(
      'STATUS:CONFIRMED',
      'STATUS:cancelled',
    );
    expect(findings(check(two), 'request-status-cancelled')).toHaveLength(1);
    expect(findings(check(CANCEL), 'request-status-cancelled')).toEqual([]);
  });

  it('reports a CANCEL VEVENT without STATUS, not one with a wrong STATUS (itip-presence)', () => {
    expect(findings(check(CANCEL), 'cancel-status-not-cancelled')).toEqual([]);
    const wrong = edit(CANCEL, 'STATUS:CANCELLED', 'STATUS:CONFIRMED');
    expect(findings(check(wrong), 'cancel-status-not-cancelled')).toEqual([]);
    const none = edit(CANCEL, 'STATUS:CANCELLED\r\n', '');
    expect(clientFindings(check(none))).toEqual(['cancel-status-not-cancelled@calendar/VEVENT[0]']);
    expect(
      findings(check(edit(SIMPLE, 'STATUS:CONFIRMED\r\n', '')), 'cancel-status-not-cancelled'),
    ).toEqual([]);
  });
});

describe('sequence-not-increased', () => {
  const withSequence = (text: string, sequence: string | undefined) =>
    edit(
      edit(text, /SEQUENCE:\d+\r\n/, sequence === undefined ? '' : `SEQUENCE:${sequence}\r\n`),
      /X-MICROSOFT-CDO-APPT-SEQUENCE:\d+\r\n/,
      '',
    );

  it('accepts a higher SEQUENCE and needs previousSequence', () => {
    expect(
      findings(check(withSequence(SIMPLE, '3'), { previousSequence: 2 }), 'sequence-not-increased'),
    ).toEqual([]);
    expect(findings(check(withSequence(SIMPLE, '0')), 'sequence-not-increased')).toEqual([]);
  });

  it('makes a lower SEQUENCE an error that Outlook and Thunderbird ignore', () => {
    const report = check(withSequence(SIMPLE, '1'), { previousSequence: 2 });
    expect(findings(report, 'sequence-not-increased').map((f) => f.severity)).toEqual(['error']);
    expect(outcome(report, 'outlook')).toBe('ignored');
    expect(outcome(report, 'thunderbird')).toBe('ignored');
    expect(outcome(report, 'gmail')).toBe('applied');
  });

  it('makes an equal SEQUENCE a warning without client effect', () => {
    const report = check(withSequence(SIMPLE, '2'), { previousSequence: 2 });
    const [hit] = findings(report, 'sequence-not-increased');
    expect(hit?.severity).toBe('warning');
    expect(hit?.message).toMatch(/the same as the previous 2/);
    expect(outcome(report, 'outlook')).toBe('applied');
  });

  it('reads an absent SEQUENCE as 0, checks CANCEL without effect, skips REPLY', () => {
    const absent = check(withSequence(SIMPLE, undefined), { previousSequence: 0 });
    expect(findings(absent, 'sequence-not-increased')[0]?.message).toMatch(/is absent \(0\)/);
    const cancel = check(withSequence(CANCEL, '1'), { previousSequence: 1 });
    expect(findings(cancel, 'sequence-not-increased')).toHaveLength(1);
    const lowerCancel = check(withSequence(CANCEL, '0'), { previousSequence: 1 });
    expect(findings(lowerCancel, 'sequence-not-increased')[0]?.severity).toBe('error');
    expect(outcome(lowerCancel, 'outlook')).toBe('applied');
    const reply = withMethod(withSequence(SIMPLE, '0'), 'REPLY');
    expect(findings(check(reply, { previousSequence: 3 }), 'sequence-not-increased')).toEqual([]);
  });
});

describe('organizer-not-mailto', () => {
  it.each([
    ['ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:ada@example.com', 1],
    ['ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:urn:uuid:8d6b4a7e-0000-4000-8000-000000000001', 1],
    ['ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:ada', 1],
    ['ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:MailTo:Ada@Example.com', 0],
  ])('%s → %i finding(s)', (line, count) => {
    expect(findings(check(withAttendees(line)), 'organizer-not-mailto')).toHaveLength(count);
  });

  it('skips PUBLISH and calendars without METHOD, and caps the findings', () => {
    const bare = edit(SIMPLE, ':mailto:olga@example.com', ':olga@example.com');
    expect(findings(check(withMethod(bare, 'PUBLISH')), 'organizer-not-mailto')).toEqual([]);
    expect(findings(check(edit(bare, 'METHOD:REQUEST\r\n', '')), 'organizer-not-mailto')).toEqual(
      [],
    );
    const many = Array.from(
      { length: 500 },
      (_, i) => `ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:p${i}@example.com`,
    );
    const hits = findings(check(withAttendees(...many)), 'organizer-not-mailto');
    expect(hits).toHaveLength(21);
    expect(hits[20]?.message).toBe('…and 480 more calendar addresses that are not mailto:');
  });
});

describe('attach-local-file', () => {
  const withAttach = (...lines: string[]) =>
    edit(
      SIMPLE,
      'LOCATION:Room 2\r\n',
      `LOCATION:Room 2\r\n${lines.map((l) => `${l}\r\n`).join('')}`,
    );

  it.each([
    ['ATTACH:file:///home/olga/agenda.pdf', /a file: URI/],
    ['ATTACH:C:\\Users\\olga\\agenda.pdf', /a Windows drive path/],
    ['ATTACH:\\\\fileserver\\share\\agenda.pdf', /a UNC path/],
    ['ATTACH:/home/olga/agenda.pdf', /a local path/],
    ['ATTACH:agenda.pdf', /a path without URI scheme/],
  ])('%s', (line, message) => {
    const hits = findings(check(withAttach(line)), 'attach-local-file');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.message).toMatch(message);
    expect(hits[0]?.severity).toBe('info');
  });

  it('accepts URLs, inline binaries and VALARM sounds', () => {
    const text = withAttach(
      'ATTACH;FMTTYPE=application/pdf:https://example.com/agenda.pdf',
      'ATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY:aGVsbG8=',
    );
    expect(findings(check(text), 'attach-local-file')).toEqual([]);
    const alarm = edit(
      SIMPLE,
      'END:VEVENT',
      'BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT15M\r\nATTACH:file:///System/Sounds/Ping.aiff\r\nEND:VALARM\r\nEND:VEVENT',
    );
    expect(findings(check(alarm), 'attach-local-file')).toEqual([]);
  });

  it('checks cid: references against the Content-IDs of the message', () => {
    const message = (attach: string) =>
      [
        'From: Olga Organizer <olga@example.com>',
        'To: Ada Lovelace <ada@example.com>',
        'Subject: Invitation',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/calendar; charset=UTF-8; method=REQUEST',
        '',
        withAttach(attach).trimEnd(),
        '--b1',
        'Content-Type: application/pdf; name="agenda.pdf"',
        'Content-Disposition: attachment; filename="agenda.pdf"',
        'Content-ID: <Agenda-1@example.com>',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '--b1--',
        '',
      ].join('\r\n');
    const ok = inspectMessage(message('ATTACH;FMTTYPE=application/pdf:cid:agenda-1@example.com'));
    expect(findings(ok, 'attach-local-file')).toEqual([]);
    const missing = inspectMessage(message('ATTACH:cid:minutes@example.com'));
    expect(findings(missing, 'attach-local-file')[0]?.message).toMatch(/not in the message/);
    // A bare .ics cannot resolve cid: at all: no finding.
    expect(
      findings(check(withAttach('ATTACH:cid:minutes@example.com')), 'attach-local-file'),
    ).toEqual([]);
  });
});
