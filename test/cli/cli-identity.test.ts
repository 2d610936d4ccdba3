/**
 * Sender identity through the CLI over a real SMTP server: the service mode (--service) through the
 * whole lifecycle — send → an attendee's REPLY (our own `reply`) → ingest → update → (identity from
 * the config file) update and cancel —, flags over the config file, batch rows, and every bad value
 * or conflict refused with exit 2 before anything is sent. Every message must inspect clean.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { eventLines, replyEmail } from '../replies/itip-samples.ts';
import { runCli } from '../support/run-cli.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-test-server.ts';

const SERVICE = 'bookings@bookings.example.net';
const event = {
  uid: 'consultation-7@bookings.example.net',
  summary: 'Consultation',
  timeZone: 'Europe/Berlin',
  start: '2026-12-03T09:30',
  end: '2026-12-03T10:00',
  organizer: { name: 'Dr. Olga', email: 'olga@example.com' },
  attendees: [{ name: 'Ada', email: 'ada@example.org' }],
};

let dir: string;
let server: TestSmtpServer;
let seen = 0;
const cli = (argv: string[]) =>
  runCli(argv, { cwd: dir, env: { SMTP_INVITE_DB: join(dir, 'ledger.db') } });

function header(raw: Buffer, name: string): string | undefined {
  const text = raw.toString('latin1');
  const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

interface Arrived {
  readonly method: string | undefined;
  readonly uid: string | undefined;
  readonly sequence: number | undefined;
  readonly from: string | undefined;
  readonly sender: string | undefined;
  readonly replyTo: string | undefined;
  readonly envelope: string;
  readonly sentBy: string | undefined;
  readonly raw: Buffer;
}

/** Messages since the last call, each inspected clean for its recipients. */
function arrived(): Arrived[] {
  const fresh = server.received.slice(seen);
  seen = server.received.length;
  return fresh.map((m) => {
    for (const recipient of m.envelope.to) {
      const problems = inspect(m.raw, { recipient }).findings.filter((f) => f.severity !== 'info');
      expect(problems.map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
    }
    const report = inspect(m.raw);
    const ev = report.calendars[0]?.events[0];
    return {
      method: report.calendars[0]?.method,
      uid: ev?.uid,
      sequence: ev?.sequence,
      from: header(m.raw, 'From'),
      sender: header(m.raw, 'Sender'),
      replyTo: header(m.raw, 'Reply-To'),
      envelope: m.envelope.from,
      sentBy: ev?.organizer?.sentBy,
      raw: m.raw,
    };
  });
}

const asService = (name = 'Example Bookings') => ({
  from: `${name} <${SERVICE}>`,
  sender: undefined,
  replyTo: '"Dr. Olga" <olga@example.com>',
  envelope: SERVICE,
  sentBy: SERVICE,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smtp-invite-identity-'));
  server = await startTestSmtpServer();
});
afterAll(async () => {
  await server.close();
});

describe('the service mode through the lifecycle', () => {
  let invitation: Buffer;

  it('send --service: From the service, Reply-To the organizer, SENT-BY, envelope', async () => {
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    const result = await cli([
      'send',
      'event.json',
      '--smtp',
      server.url,
      '--service',
      SERVICE,
      '--service-name',
      'Example Bookings',
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const got = arrived();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      method: 'REQUEST',
      uid: event.uid,
      sequence: 0,
      ...asService(),
    });
    invitation = got[0]?.raw ?? Buffer.alloc(0);
  });

  it("the attendee's REPLY goes to the organizer, and ingest records it", async () => {
    writeFileSync(join(dir, 'invitation.eml'), invitation);
    const reply = await cli([
      'reply',
      'invitation.eml',
      '--as',
      'ada@example.org',
      '--accept',
      '--out',
      'ada.eml',
    ]);
    expect(reply.code).toBe(0);
    const ingest = await cli(['ingest', 'ada.eml']);
    expect(ingest.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const raw = readFileSync(join(dir, 'ada.eml'));
    // iTIP replies go to the ORGANIZER (RFC 5546), never to the service that sent the invitation.
    expect(header(raw, 'To')).toMatch(/olga@example\.com/);
    const status = JSON.parse((await cli(['status', event.uid, '--json'])).stdout) as {
      attendees: { email: string; partstat: string }[];
    };
    expect(status.attendees).toEqual([
      expect.objectContaining({ email: 'ada@example.org', partstat: 'ACCEPTED' }),
    ]);
  });

  it('update --service: same UID and SEQUENCE for a new summary, the answer kept', async () => {
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({ ...event, summary: 'Consultation (room 3)' }),
    );
    const result = await cli(['update', 'event.json', '--smtp', server.url, '--service', SERVICE]);
    expect(result.code).toBe(0);
    expect(arrived()).toEqual([
      // No --service-name this time: From is the bare address.
      expect.objectContaining({
        method: 'REQUEST',
        uid: event.uid,
        sequence: 0,
        ...asService(),
        from: SERVICE,
      }),
    ]);
  });

  it('update from the config file identity: a new time raises SEQUENCE, still the service', async () => {
    writeFileSync(
      join(dir, 'smtp-invite.config.json'),
      JSON.stringify({ identity: { service: { name: 'Example Bookings', email: SERVICE } } }),
    );
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({
        ...event,
        summary: 'Consultation (room 3)',
        start: '2026-12-03T11:00',
        end: '2026-12-03T11:30',
      }),
    );
    const result = await cli(['update', 'event.json', '--smtp', server.url]);
    expect(result.code).toBe(0);
    expect(arrived()).toEqual([
      expect.objectContaining({ method: 'REQUEST', uid: event.uid, sequence: 1, ...asService() }),
    ]);
  });

  it('ingest answers a REFRESH with the REQUEST as the service (config file identity)', async () => {
    writeFileSync(
      join(dir, 'refresh.eml'),
      replyEmail({
        method: 'REFRESH',
        messageId: 'refresh-1@example.org',
        from: 'Ada <ada@example.org>',
        vevents: [
          eventLines({
            UID: `UID:${event.uid}`,
            SEQUENCE: null,
            ATTENDEE: 'ATTENDEE:mailto:ada@example.org',
          }),
        ],
      }),
    );
    const result = await cli(['ingest', 'refresh.eml', '--smtp', server.url]);
    expect(result.code).toBe(0);
    const got = arrived();
    expect(got).toEqual([
      expect.objectContaining({ method: 'REQUEST', uid: event.uid, sequence: 1, ...asService() }),
    ]);
    expect(server.received.at(-1)?.envelope.to).toEqual(['ada@example.org']);
  });

  it('cancel from the config file identity: CANCEL at SEQUENCE + 1 as the service', async () => {
    const result = await cli(['cancel', event.uid, '--smtp', server.url]);
    expect(result.code).toBe(0);
    expect(arrived()).toEqual([
      expect.objectContaining({ method: 'CANCEL', uid: event.uid, sequence: 2, ...asService() }),
    ]);
  });

  it('a flag replaces the config file identity: --sender sends on behalf, From the organizer', async () => {
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...event, uid: 'other@example.com' }));
    const result = await cli([
      'send',
      'other.json',
      '--smtp',
      server.url,
      '--sender',
      'grace@example.com',
    ]);
    expect(result.code).toBe(0);
    expect(arrived()).toEqual([
      expect.objectContaining({
        from: '"Dr. Olga" <olga@example.com>',
        sender: 'grace@example.com',
        replyTo: undefined,
        envelope: 'grace@example.com',
        sentBy: 'grace@example.com',
      }),
    ]);
  });
});

describe('refused before anything is sent (exit 2)', () => {
  it.each([
    [
      ['--service', SERVICE, '--sender', 'grace@example.com'],
      /give --service or --sender, not both/,
    ],
    [['--service-name', 'Bookings'], /--service-name names the --service address/],
    [['--service', 'not-an-email'], /--service "not-an-email" is not an email address/],
    [
      ['--service', 'b@example.net>\r\nBcc: victim@example.org'],
      /--service "b@example\.net>\\r\\nBcc: victim@example\.org" must be plain ASCII/,
    ],
    [['--sender', 'grace@example.com;x'], /--sender "grace@example.com;x" has an invalid/],
  ])('send %j', async (flags, message) => {
    const before = server.received.length;
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...event, uid: 'bad@example.com' }));
    const result = await cli(['send', 'bad.json', '--smtp', server.url, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(server.received.length).toBe(before);
  });

  it('a config file naming both a service and a sender (ERR_CONFIG)', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'smtp-invite-identity-conf-'));
    writeFileSync(join(sub, 'event.json'), JSON.stringify(event));
    writeFileSync(
      join(sub, 'smtp-invite.config.json'),
      JSON.stringify({ identity: { service: SERVICE, sender: 'grace@example.com' } }),
    );
    const before = server.received.length;
    const result = await runCli(['send', 'event.json', '--smtp', server.url], {
      cwd: sub,
      env: { SMTP_INVITE_DB: join(sub, 'l.db') },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/identity: give "service" or "sender", not both/);
    expect(server.received.length).toBe(before);
  });

  it.each(['send', 'update', 'cancel', 'decline-counter', 'ingest', 'batch', 'build'])(
    '%s --help documents the identity options',
    async (command) => {
      const help = await cli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--service EMAIL');
      expect(help.stdout).toContain('--sender EMAIL');
    },
  );

  it('reply (the attendee side) has no identity options', async () => {
    const result = await cli([
      'reply',
      'invitation.eml',
      '--as',
      'ada@example.org',
      '--accept',
      '--service',
      SERVICE,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--service/);
  });
});

describe('batch --service', () => {
  it("carries the service identity to every row's message, and --resume refuses identity flags", async () => {
    const fixtures = new URL('../../fixtures/batch/', import.meta.url).pathname;
    const sub = mkdtempSync(join(tmpdir(), 'smtp-invite-identity-batch-'));
    for (const f of ['rows.jsonl', 'template.json']) copyFileSync(join(fixtures, f), join(sub, f));
    const before = server.received.length;
    const result = await runCli(
      [
        'batch',
        'rows.jsonl',
        '--template',
        'template.json',
        '--smtp',
        server.url,
        '--db',
        'l.db',
        '--service',
        SERVICE,
        '--service-name',
        'Webinars',
      ],
      { cwd: sub, env: {} },
    );
    expect(result.code).toBe(0);
    const rows = server.received.slice(before);
    seen = server.received.length;
    expect(rows.length).toBeGreaterThan(1);
    for (const m of rows) {
      expect(header(m.raw, 'From')).toBe(`Webinars <${SERVICE}>`);
      expect(header(m.raw, 'Reply-To')).toBe('Olga Organizer <olga@example.com>');
      expect(m.envelope.from).toBe(SERVICE);
      // Read with the inspector: a row with a non-ASCII name has a base64 calendar part.
      expect(inspect(m.raw).calendars[0]?.events[0]?.organizer).toEqual({
        address: 'olga@example.com',
        cn: 'Olga Organizer',
        sentBy: SERVICE,
      });
      const problems = inspect(m.raw, { recipient: m.envelope.to[0] ?? '' }).findings.filter(
        (f) => f.severity !== 'info',
      );
      expect(problems).toEqual([]);
    }
    const resume = await runCli(['batch', '--resume', '--db', 'l.db', '--service', SERVICE], {
      cwd: sub,
      env: {},
    });
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/apply to a new batch/);
  });
});
