/** Shared set-up for the ledger tests: temporary ledgers, sample records, child processes. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach } from 'vitest';

import type { InviteInput } from '../../src/model/invite.ts';
import type { OutgoingRecord, StoredEvent } from '../../src/ledger/ledger-types.ts';
import type { OpenLedgerOptions, SqliteLedger } from '../../src/ledger/open-ledger.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';

const dirs: string[] = [];
const ledgers: SqliteLedger[] = [];

afterEach(() => {
  for (const ledger of ledgers.splice(0)) ledger.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function makeTempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'smtp-invite-ledger-'));
  dirs.push(dir);
  return dir;
}

/** A clock that ticks one second per call from 2026-01-01T00:00:00Z: createdAt values differ. */
export function tickingClock(start = Date.UTC(2026, 0, 1)): () => Date {
  let t = start;
  return () => {
    const date = new Date(t);
    t += 1000;
    return date;
  };
}

/** Opens a ledger that afterEach closes. */
export function openTestLedger(file: string, options: OpenLedgerOptions = {}): SqliteLedger {
  const ledger = openLedger(file, { now: tickingClock(), ...options });
  ledgers.push(ledger);
  return ledger;
}

export function sampleInput(uid = 'evt-1@example.com', sequence = 0): InviteInput {
  return {
    uid,
    sequence,
    summary: 'Café ☕ « planning » — 日本',
    description: 'Line 1\nLine 2\r\n\ttabbed "quoted" \\ backslash',
    timeZone: 'Europe/Paris',
    start: '2026-03-02T10:00',
    end: '2026-03-02T11:00',
    recurrence: {
      rrule: { freq: 'WEEKLY', byDay: ['MO'], count: 5, interval: 1 },
      exdates: ['2026-03-09T10:00'],
    },
    organizer: { name: 'Ada Lovelace', email: 'ada@example.com', sentBy: 'pa@example.com' },
    attendees: [
      { name: 'Bob', email: 'Bob@Example.org', role: 'optional', rsvp: true },
      { email: 'carol@example.net', kind: 'room', rsvp: false },
    ],
    alarms: [{ before: 'PT15M' }],
    status: 'confirmed',
  };
}

export function sampleEvent(
  uid = 'evt-1@example.com',
  sequence = 0,
): Omit<StoredEvent, 'version' | 'createdAt' | 'updatedAt'> {
  return {
    uid,
    sequence,
    input: sampleInput(uid, sequence),
    calendar: `BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nSEQUENCE:${String(sequence)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
    state: 'active',
  };
}

export function sampleOutgoing(
  uid: string,
  messageId: string,
  raw: Buffer = Buffer.from(`Message-ID: <${messageId}>\r\n\r\nbody\r\n`),
): OutgoingRecord {
  return {
    messageId,
    uid,
    method: 'REQUEST',
    sequence: 0,
    recipients: ['bob@example.org', 'carol@example.net'],
    sentAt: '2026-01-01T10:00:00.000Z',
    sha256: createHash('sha256').update(raw).digest('hex'),
    raw,
    deliveries: [
      { recipient: 'bob@example.org', outcome: 'accepted' },
      {
        recipient: 'carol@example.net',
        outcome: 'rejected',
        code: 550,
        response: '5.1.1 no such user',
      },
    ],
  };
}

export const OPEN_LEDGER_URL = new URL('../../src/ledger/open-ledger.ts', import.meta.url).href;

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a TypeScript module in a fresh Node (process.execPath: the Node 24 running vitest, which
 * strips types). `onStdout` sees the output as it arrives, for scripts that signal a phase.
 */
export function runChild(
  dir: string,
  source: string,
  args: readonly string[],
  onStdout?: (chunk: string) => void,
): Promise<ChildResult> {
  const script = path.join(
    dir,
    `child-${String(Date.now())}-${String(Math.random()).slice(2)}.mts`,
  );
  writeFileSync(script, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
