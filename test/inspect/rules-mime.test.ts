/**
 * MIME rules beyond their one fixture each (fixtures/messages/handmade/<rule>.eml): severities that
 * depend on the part, what must NOT fire, and caps on hostile input. Inputs are the clean
 * simple-meeting message with one thing changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspect, inspectCalendar, inspectMessage } from '../../src/inspect/inspect-engine.ts';
import type { InspectReport } from '../../src/inspect/inspect-types.ts';
import { MAX_MIME_HITS } from '../../src/inspect/mime-rule-support.ts';
import { MIME_RULES } from '../../src/inspect/rules/mime-rules.ts';

const fixtures = new URL('../../fixtures/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, fixtures));

/** The clean message as one char per octet, so byte-level edits stay exact. */
const clean = read('invites/simple-meeting/expected.eml').toString('latin1');
const cleanIcs = read('invites/simple-meeting/expected.ics').toString('latin1');
const OUTER = '------=_smtp-invite_36d0fdd95a64e536_0_0';
const CAL_HEAD =
  'Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\nContent-Transfer-Encoding: 7bit';
const PLAIN_HEAD =
  'Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable';
const ATTACHMENT_HEAD =
  'Content-Type: application/ics; name="invite.ics"\r\nContent-Disposition: attachment; filename="invite.ics"\r\nContent-Transfer-Encoding: 7bit';

/** Replaces the first occurrence, insisting it exists. */
function edit(source: string, from: string, to: string): string {
  expect(source).toContain(from);
  return source.replace(from, to);
}

/** UTF-8 text as one char per octet. */
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const message = (source: string) => inspectMessage(Buffer.from(source, 'latin1'));

const MIME_IDS = new Set(MIME_RULES.map((r) => r.id));
const mimeFindings = (report: InspectReport) => report.findings.filter((f) => MIME_IDS.has(f.rule));
const rules = (report: InspectReport) => [...new Set(report.findings.map((f) => f.rule))].sort();
const findingsOf = (report: InspectReport, rule: string) =>
  report.findings.filter((f) => f.rule === rule);

/** A multipart/mixed message whose parts are given as `headers\r\n\r\nbody`. */
function mixed(parts: readonly string[], boundary = 'b1'): string {
  return (
    'From: olga@example.com\r\nTo: ada@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n' +
    `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
    parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') +
    `--${boundary}--\r\n`
  );
}
const calendarPart = `${CAL_HEAD}\r\n\r\n${cleanIcs}`;

describe('MIME rules: the clean message', () => {
  it('raises nothing on the clean message, as LF-only or after an mbox "From " line', () => {
    expect(message(clean).findings).toEqual([]);
    expect(mimeFindings(message(clean.replace(/\r\n/g, '\n')))).toEqual([]);
    const mbox = `From olga@example.com Thu Jan  1 00:00:00 2026\r\n${clean}`;
    expect(mimeFindings(message(mbox))).toEqual([]);
  });

  it('raises nothing on any message or calendar smtp-invite builds (fixtures/invites)', () => {
    const invites = new URL('invites/', fixtures);
    for (const name of readdirSync(invites)) {
      for (const file of ['expected.eml', 'expected.ics']) {
        let input: Buffer;
        try {
          input = readFileSync(new URL(`${name}/${file}`, invites));
        } catch {
          continue;
        }
        expect(mimeFindings(inspect(input)), `${name}/${file}`).toEqual([]);
      }
    }
  });

  it('runs no MIME rule on a standalone .ics', () => {
    const ics = edit(cleanIcs, 'LOCATION:Room 2', utf8('LOCATION:Raum Zürich'));
    expect(mimeFindings(inspectCalendar(Buffer.from(ics, 'latin1')))).toEqual([]);
  });
});

describe('unclosed-boundary / missing-boundary', () => {
  it('reports a missing outer close delimiter at the message', () => {
    const report = message(edit(clean, `${OUTER}--\r\n`, ''));
    expect(rules(report)).toEqual(['unclosed-boundary']);
    expect(findingsOf(report, 'unclosed-boundary')[0]).toMatchObject({
      severity: 'error',
      path: 'message',
    });
  });

  it('reports a multipart body without any delimiter line (and the calendar is lost)', () => {
    const source =
      'Subject: x\r\nContent-Type: multipart/alternative; boundary="nowhere"\r\n\r\n' + cleanIcs;
    expect(rules(message(source))).toEqual(['no-calendar-part', 'unclosed-boundary']);
  });

  it('reports a multipart without, or with an empty, boundary parameter', () => {
    const none = 'Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n';
    expect(rules(message(none))).toEqual(['missing-boundary', 'no-calendar-part']);
    const empty = none.replace('multipart/mixed', 'multipart/mixed; boundary=""');
    expect(findingsOf(message(empty), 'missing-boundary')).toHaveLength(1);
  });
});

describe('mime-too-complex', () => {
  it('reports a message of more than 500 parts once', () => {
    const many = Array.from({ length: 600 }, (_, i) => `Content-Type: text/plain\r\n\r\npart ${i}`);
    const report = message(mixed([calendarPart, ...many]));
    expect(mimeFindings(report).map((f) => f.rule)).toEqual(['mime-too-complex']);
    expect(findingsOf(report, 'mime-too-complex')[0]?.severity).toBe('error');
  });
});

describe('invalid-mime-header', () => {
  it('reports a repeated Content-Type and a header section that never ends', () => {
    const repeated = edit(clean, CAL_HEAD, `${CAL_HEAD}\r\nContent-Type: text/plain`);
    expect(findingsOf(message(repeated), 'invalid-mime-header')).toMatchObject([
      { severity: 'warning', path: '1.3' },
    ]);
    const unseparated = mixed([calendarPart, 'Content-Type: text/plain\r\nX-Note: no body']);
    expect(findingsOf(message(unseparated), 'invalid-mime-header')).toMatchObject([
      { path: '2', message: expect.stringContaining('no empty line') as unknown },
    ]);
  });

  it('stays short and fast on 100 000 header lines without a colon', () => {
    const junk = 'not a header line\r\n'.repeat(100_000);
    const started = performance.now();
    const report = message(junk + clean);
    expect(performance.now() - started).toBeLessThan(1500);
    const hits = findingsOf(report, 'invalid-mime-header');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(MAX_MIME_HITS + 1);
  });
});

describe('transfer encodings', () => {
  it('unknown-transfer-encoding is an error on a calendar part, a warning elsewhere', () => {
    const onPlain = edit(
      clean,
      PLAIN_HEAD,
      'Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: x-uuencode',
    );
    expect(findingsOf(message(onPlain), 'unknown-transfer-encoding')).toMatchObject([
      { severity: 'warning', path: '1.1' },
    ]);
    const onCalendar = edit(clean, CAL_HEAD, CAL_HEAD.replace('7bit', '7-bit'));
    expect(findingsOf(message(onCalendar), 'unknown-transfer-encoding')).toMatchObject([
      { severity: 'error', path: '1.3' },
    ]);
  });

  it('bad-base64 is a warning on a text part, an error on any calendar part or its container', () => {
    const text = mixed([
      calendarPart,
      'Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8*',
    ]);
    expect(findingsOf(message(text), 'bad-base64').map((f) => [f.path, f.severity])).toEqual([
      ['2', 'warning'],
      ['2', 'warning'],
    ]);
    // The attached copy is a calendar part too, even though clients act on the inline one.
    const copy = edit(
      clean,
      `${ATTACHMENT_HEAD}\r\n\r\n${cleanIcs}`,
      `${ATTACHMENT_HEAD.replace('7bit', 'base64')}\r\n\r\n${Buffer.from(cleanIcs, 'latin1').toString('base64')}!`,
    );
    expect(findingsOf(message(copy), 'bad-base64')).toMatchObject([
      { path: '2', severity: 'error' },
    ]);
    // A (wrongly) base64-encoded message/rfc822 holding the invitation.
    const inner = Buffer.from(clean, 'latin1')
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n');
    const forwarded = mixed([
      `Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n${inner}#`,
    ]);
    const report = message(forwarded);
    expect(report.calendarParts.some((p) => p.primary)).toBe(true);
    expect(findingsOf(report, 'bad-base64')).toMatchObject([{ path: '1', severity: 'error' }]);
  });

  it('bad-base64 caps its findings on a message of many damaged parts', () => {
    const damaged = Array.from(
      { length: 60 },
      () => 'Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBE*Ri0x',
    );
    const hits = findingsOf(message(mixed([calendarPart, ...damaged])), 'bad-base64');
    expect(hits).toHaveLength(MAX_MIME_HITS + 1);
    expect(hits.at(-1)).toMatchObject({
      path: 'message',
      severity: 'warning',
      message: '… and 40 more such problem(s) in this message',
    });
  });

  it('bad-quoted-printable is a warning on a text part', () => {
    const source = edit(clean, 'Where: Room 2', 'Where: Room 2, door code =Z9');
    expect(findingsOf(message(source), 'bad-quoted-printable')).toMatchObject([
      { severity: 'warning', path: '1.1' },
    ]);
  });

  it('eight-bit-in-seven-bit fires for an undeclared encoding, not for 8bit', () => {
    const undeclared = mixed([
      calendarPart,
      `Content-Type: text/plain; charset=UTF-8\r\n\r\n${utf8('Grüße')}`,
    ]);
    expect(findingsOf(message(undeclared), 'eight-bit-in-seven-bit')).toMatchObject([
      { severity: 'warning', path: '2' },
    ]);
    const declared = undeclared.replace(
      'charset=UTF-8\r\n\r\n',
      'charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
    );
    expect(mimeFindings(message(declared))).toEqual([]);
  });
});

describe('charset-missing', () => {
  const withCalendar = (headers: string, ics: string) =>
    mixed([`${headers}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${ics}`]);
  const zurich = edit(cleanIcs, 'LOCATION:Room 2', utf8('LOCATION:Raum Zürich'));
  const zurichLine = cleanIcs.split('\r\n').findIndex((l) => l === 'LOCATION:Room 2') + 1;

  it('points at the first non-ASCII line; an empty charset counts as missing', () => {
    const report = message(withCalendar('Content-Type: text/calendar; method=REQUEST', zurich));
    expect(findingsOf(report, 'charset-missing')).toMatchObject([
      { severity: 'error', path: '1', line: zurichLine, clients: ['outlook'] },
    ]);
    const empty = withCalendar('Content-Type: text/calendar; method=REQUEST; charset=""', zurich);
    expect(findingsOf(message(empty), 'charset-missing')).toHaveLength(1);
  });

  it('does not fire for ASCII, a BOM alone, invalid UTF-8 (invalid-utf8) or application/ics', () => {
    const head = 'Content-Type: text/calendar; method=REQUEST';
    expect(mimeFindings(message(withCalendar(head, cleanIcs)))).toEqual([]);
    expect(mimeFindings(message(withCalendar(head, `\xef\xbb\xbf${cleanIcs}`)))).toEqual([]);
    const latin1 = edit(cleanIcs, 'LOCATION:Room 2', 'LOCATION:Raum Z\xfcrich');
    expect(findingsOf(message(withCalendar(head, latin1)), 'charset-missing')).toEqual([]);
    const ics = withCalendar('Content-Type: application/ics; name="invite.ics"', zurich);
    expect(findingsOf(message(ics), 'charset-missing')).toEqual([]);
  });
});

describe('invalid-charset', () => {
  const withCalendar = (charset: string, ics: string) =>
    mixed([
      `Content-Type: text/calendar; method=REQUEST; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${ics}`,
    ]);
  const latin1 = edit(cleanIcs, 'LOCATION:Room 2', 'LOCATION:Raum Z\xfcrich');
  const zurich = edit(cleanIcs, 'LOCATION:Room 2', utf8('LOCATION:Raum Zürich'));

  it('reports octets that are not valid in the declared charset', () => {
    expect(findingsOf(message(withCalendar('UTF-8', latin1)), 'invalid-charset')).toMatchObject([
      {
        severity: 'error',
        path: '1',
        message: expect.stringContaining('not valid utf-8') as unknown,
      },
    ]);
  });

  it('reports 8-bit octets labelled US-ASCII, which decoders silently read as windows-1252', () => {
    const report = message(withCalendar('us-ascii', zurich));
    expect(findingsOf(report, 'invalid-charset')).toMatchObject([
      { path: '1', line: cleanIcs.split('\r\n').indexOf('LOCATION:Room 2') + 1 },
    ]);
  });

  it('accepts a charset that fits the octets', () => {
    expect(mimeFindings(message(withCalendar('us-ascii', cleanIcs)))).toEqual([]);
    expect(mimeFindings(message(withCalendar('ISO-8859-1', latin1)))).toEqual([]);
    expect(mimeFindings(message(withCalendar('"utf-8"', zurich)))).toEqual([]);
  });
});

describe('winmail-dat', () => {
  const tnef =
    'Content-Type: application/ms-tnef; name="winmail.dat"\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+IgEAAQ==';

  it('without a calendar part: warns next to no-calendar-part and explains the verdicts', () => {
    const report = message(mixed(['Content-Type: text/plain\r\n\r\nSee the meeting.', tnef]));
    expect(rules(report)).toEqual(['no-calendar-part', 'winmail-dat']);
    expect(findingsOf(report, 'winmail-dat')).toMatchObject([
      { severity: 'warning', path: '2', clients: ['gmail', 'apple', 'thunderbird'] },
    ]);
    const gmail = report.clients.find((c) => c.client === 'gmail');
    expect(gmail?.outcome).toBe('not-an-invitation');
    expect(gmail?.reasons.some((r) => r.startsWith('winmail-dat:'))).toBe(true);
    const outlook = report.clients.find((c) => c.client === 'outlook');
    expect(outlook?.reasons.some((r) => r.startsWith('winmail-dat:'))).toBe(false);
  });

  it('recognises an octet-stream named WINMAIL.DAT, and changes no verdict beside a calendar', () => {
    const named = 'Content-Type: application/octet-stream; name="WINMAIL.DAT"\r\n\r\nx';
    const report = message(mixed([calendarPart, named]));
    expect(findingsOf(report, 'winmail-dat')).toMatchObject([{ path: '2' }]);
    expect(findingsOf(report, 'winmail-dat')[0]?.clients).toBeUndefined();
    expect(report.clients.every((c) => c.outcome === 'invitation')).toBe(true);
  });
});
