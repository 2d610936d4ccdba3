/**
 * Real replies from other clients (Apple's CalendarServer, Outlook's .ics, libical, Apache James)
 * ingested against a ledger holding the matching invite: the answer lands on the right attendee.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestMessages } from '../../src/flows/ingest-replies.ts';
import { sendAndRecord } from '../../src/flows/organizer-flows.ts';
import { readStatus } from '../../src/flows/read-status.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import { describeEmailProblem } from '../../src/model/check-email.ts';
import { createMemoryTransport } from '../../src/transport/memory-transport.ts';

const root = new URL('../../fixtures/replies/', import.meta.url).pathname;
interface Expected {
  method?: string;
  uid?: string;
  sequence?: number;
  attendee?: string;
  partstat?: string;
  result?: string;
}
const samples = readdirSync(root)
  .filter((d) => statSync(join(root, d)).isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.expected.json'))
      .map((f) => ({
        name: `${d}/${f.replace(/\.expected\.json$/, '')}`,
        path: join(root, d, f.replace(/\.expected\.json$/, '')),
        expected: JSON.parse(readFileSync(join(root, d, f), 'utf8')) as Expected,
      })),
  )
  .filter(
    (s) =>
      s.expected.method === 'REPLY' &&
      s.expected.result === undefined &&
      s.expected.uid !== undefined &&
      s.expected.attendee !== undefined &&
      describeEmailProblem(s.expected.attendee) === undefined,
  );

describe('ingesting real replies', () => {
  it('has real replies to ingest', () => {
    expect(samples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(samples)('$name', async ({ path, expected }) => {
    const ledger = openLedger(join(mkdtempSync(join(tmpdir(), 'smtp-invite-real-')), 'l.db'));
    try {
      const transport = createMemoryTransport();
      await sendAndRecord(
        {
          uid: expected.uid,
          sequence: expected.sequence ?? 0,
          summary: 'Matching invite',
          start: '2026-12-01T10:00Z',
          end: '2026-12-01T11:00Z',
          organizer: { email: 'organizer@example.net' },
          attendees: [{ email: expected.attendee }],
        },
        { ledger, transport },
      );
      const [result] = await ingestMessages([{ source: path, raw: readFileSync(path) }], {
        ledger,
        transport,
      });
      expect(result?.result, result?.reason).toBe('applied');
      const status = readStatus(ledger, expected.uid ?? '');
      expect(status.attendees[0]?.partstat).toBe(expected.partstat);
      expect(status.attendees[0]?.via).toBe(result?.messageId);
    } finally {
      ledger.close();
    }
  });
});
