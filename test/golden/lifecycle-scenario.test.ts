/**
 * The organizer's lifecycle as a golden scenario: create → accept/tentative/decline → change the
 * time → remove one attendee and add another → cancel one occurrence → cancel all. For every step
 * the golden file lists who got which METHOD at which SEQUENCE (with the scheduling lines of each
 * calendar) and the status afterwards. Clocks and ids are fixed, so the file is byte-exact.
 * `UPDATE_GOLDEN=1` rewrites it (npm run golden:update); review the diff.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildIds } from '../../src/flows/build-invite.ts';
import type { ExecutedPlan } from '../../src/flows/execute-plan.ts';
import { ingestMessages } from '../../src/flows/ingest-replies.ts';
import {
  cancelAndRecord,
  cancelOccurrenceAndRecord,
  sendAndRecord,
  updateAndRecord,
} from '../../src/flows/organizer-flows.ts';
import { readStatus } from '../../src/flows/read-status.ts';
import { inspect } from '../../src/inspect/inspect-engine.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import { buildReply } from '../../src/replies/build-reply.ts';
import { createMemoryTransport } from '../../src/transport/memory-transport.ts';

const golden = new URL('../../fixtures/scenarios/lifecycle.txt', import.meta.url).pathname;
const update = process.env['UPDATE_GOLDEN'] === '1';

const event = {
  uid: 'scenario@example.com',
  summary: 'Weekly planning',
  timeZone: 'Europe/Berlin',
  start: '2026-12-01T10:00',
  end: '2026-12-01T11:00',
  recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4' },
  organizer: { name: 'Olga', email: 'olga@example.com' },
  attendees: [
    { name: 'Ada', email: 'ada@example.com' },
    { name: 'Bob', email: 'bob@example.com' },
    { name: 'Cy', email: 'cy@example.com' },
  ],
};

/** The lines that say what a scheduling message does (unfolded). */
const KEY_LINES = /^(METHOD|SEQUENCE|STATUS|RECURRENCE-ID|EXDATE|DTSTART|ATTENDEE)[;:]/;

describe('lifecycle scenario (golden)', () => {
  it('matches fixtures/scenarios/lifecycle.txt', async () => {
    const ledger = openLedger(join(mkdtempSync(join(tmpdir(), 'smtp-invite-scenario-')), 'l.db'));
    const transport = createMemoryTransport();
    let clock = Date.parse('2026-11-21T09:00:00Z');
    let counter = 0;
    const ids: BuildIds = {
      now: () => new Date(clock),
      newUid: () => 'unused@example.com',
      messageId: () => `m${++counter}@example.com`,
      boundary: (index, depth) => `b-${counter}-${index}-${depth}`,
    };
    const options = { ledger, transport, build: { ids }, now: () => new Date(clock) };
    const out: string[] = [];
    let seen = 0;

    const step = (title: string, result?: ExecutedPlan) => {
      clock += 3_600_000;
      out.push(`## ${title}`);
      if (result !== undefined && result.changes.length > 0)
        out.push(`changes: ${result.changes.join('; ')}`);
      for (const message of transport.sent.slice(seen)) {
        for (const recipient of message.envelope.to) {
          const report = inspect(message.raw, { recipient });
          expect(
            report.findings.filter((f) => f.severity !== 'info').map((f) => f.message),
          ).toEqual([]);
        }
        const text = message.raw.toString('utf8').replace(/\r\n[ \t]/g, '');
        const calendar = text.slice(text.indexOf('BEGIN:VCALENDAR'), text.indexOf('END:VCALENDAR'));
        const lines = calendar
          .split('\r\n')
          .filter((l) => KEY_LINES.test(l) && !l.startsWith('DTSTART:1970'))
          .map((l) => l.replace(/;CN="[^"]*"/, ''));
        out.push(`to ${message.envelope.to.join(', ')}:`, ...lines.map((l) => `  ${l}`));
      }
      seen = transport.sent.length;
      const status = readStatus(ledger, event.uid);
      out.push(
        `status: SEQUENCE ${status.sequence} ${status.status}; ${status.attendees.map((a) => `${a.email}=${a.partstat}`).join(' ')}`,
        '',
      );
    };

    try {
      step('create', await sendAndRecord(event, options));
      const invitation = transport.sent[0]?.raw ?? Buffer.alloc(0);
      const answers = [
        ['ada@example.com', 'ACCEPTED'],
        ['bob@example.com', 'TENTATIVE'],
        ['cy@example.com', 'DECLINED'],
      ] as const;
      const replies = answers.map(([as, partstat], i) => ({
        source: as,
        raw: buildReply(invitation, {
          as,
          partstat,
          now: new Date(clock),
          messageId: `r${i}@example.com`,
        }).raw,
      }));
      const ingested = await ingestMessages(replies, options);
      expect(ingested.map((r) => r.result)).toEqual(['applied', 'applied', 'applied']);
      step('accept / tentative / decline');
      step(
        'change the time',
        await updateAndRecord(
          { ...event, start: '2026-12-01T14:00', end: '2026-12-01T15:00' },
          options,
        ),
      );
      step(
        'remove bob, add dee',
        await updateAndRecord(
          {
            ...event,
            start: '2026-12-01T14:00',
            end: '2026-12-01T15:00',
            attendees: [
              event.attendees[0],
              event.attendees[2],
              { name: 'Dee', email: 'dee@example.com' },
            ],
          },
          options,
        ),
      );
      step(
        'cancel one occurrence',
        await cancelOccurrenceAndRecord(event.uid, '2026-12-15T14:00', options),
      );
      step('cancel all', await cancelAndRecord(event.uid, {}, options));
    } finally {
      ledger.close();
    }

    const text = `${out.join('\n')}`;
    if (update || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});
