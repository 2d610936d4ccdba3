/**
 * Issue #6 benchmark: DKIM-signing a built invitation (RSA-2048, relaxed/relaxed), ours vs the
 * usual approach, one core, same run, interleaved rounds.
 * - ours: `createDkimSigner(...).sign(raw)` on the bytes `buildInvite` made (what
 *   `withDkimSigning` does to every message before the transport sends it);
 * - usual: nodemailer's own pipeline with its `dkim` transport option, handed the same bytes
 *   (`raw`), written to a buffer (`streamTransport`) so that no network is measured.
 * Both prepend one signature with the same body hash to the unchanged bytes (checked).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { buildInvite } from '../../src/flows/build-invite.ts';
import { createDkimSigner } from '../../src/transport/dkim-signing.ts';
import { compare } from './bench-util.ts';
import { realisticInput } from './build-invite.bench.ts';

export async function runDkimBenchmark(log: (line: string) => void): Promise<void> {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const raw =
    buildInvite(realisticInput(), {
      ids: {
        now: () => new Date('2026-11-21T10:00:00Z'),
        messageId: () => 'bench@example.com',
        boundary: (i, d) => `----=_bench_${i}_${d}`,
      },
    }).messages[0]?.raw ?? Buffer.alloc(0);
  const signer = createDkimSigner({ domainName: 'example.com', keySelector: 's1', privateKey });
  const usual = createTransport({
    streamTransport: true,
    buffer: true,
    dkim: { domainName: 'example.com', keySelector: 's1', privateKey },
  });
  const usualSign = async (): Promise<Buffer> => {
    const info = await usual.sendMail({
      raw,
      envelope: { from: 'olga@example.com', to: ['attendee0@example.com'] },
    });
    return info.message as Buffer;
  };

  // The same work, or the comparison means nothing: both prepend one DKIM-Signature with the
  // same body hash to the unchanged bytes (their header lists differ in order only).
  const mine = await signer.sign(raw);
  const theirs = await usualSign();
  const bodyHash = (signed: Buffer): string | undefined =>
    /\bbh=([^;]+);/.exec(signed.toString('latin1'))?.[1];
  assert.ok(mine.subarray(mine.length - raw.length).equals(raw), 'ours changed the message');
  assert.ok(theirs.subarray(theirs.length - raw.length).equals(raw), 'usual changed the message');
  assert.equal(bodyHash(mine), bodyHash(theirs), 'the body hashes differ');

  log('');
  log(`DKIM signing (RSA-2048, relaxed/relaxed) of one ${raw.length}-byte invitation, one core:`);
  const [ours, baseline] = await compare(
    [
      { name: 'ours: createDkimSigner().sign(raw)', op: () => signer.sign(raw) },
      { name: 'usual: nodemailer sendMail({raw}) with its dkim option', op: usualSign },
    ],
    { warmup: 50, rounds: 15, perRound: 100 },
  );
  if (ours === undefined || baseline === undefined) return;
  for (const m of [ours, baseline]) {
    log(
      `  ${m.name.padEnd(58)} ${m.usPerOp.toFixed(0).padStart(7)} µs/message ${Math.round(m.opsPerSecond).toString().padStart(7)} messages/s`,
    );
  }
  log(`  ratio (usual / ours): ${(baseline.usPerOp / ours.usPerOp).toFixed(2)}x`);
}
