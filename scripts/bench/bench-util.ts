/**
 * Tiny benchmark harness: interleaved rounds (ours, baseline, ours, …) so that machine noise hits
 * both sides alike, the median of the rounds as the figure, and the ratio printed beside them.
 */

export interface Measurement {
  readonly name: string;
  /** Median microseconds per operation. */
  readonly usPerOp: number;
  readonly opsPerSecond: number;
}

export async function measure(
  name: string,
  op: () => unknown,
  options: { warmup: number; rounds: number; perRound: number },
): Promise<Measurement> {
  for (let i = 0; i < options.warmup; i++) await op();
  const samples: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < options.perRound; i++) await op();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / options.perRound);
  }
  return result(name, samples);
}

/** Measures several functions in interleaved rounds; returns one Measurement each. */
export async function compare(
  ops: readonly { name: string; op: () => unknown }[],
  options: { warmup: number; rounds: number; perRound: number },
): Promise<Measurement[]> {
  for (const { op } of ops) for (let i = 0; i < options.warmup; i++) await op();
  const samples = ops.map(() => [] as number[]);
  for (let r = 0; r < options.rounds; r++) {
    for (const [k, { op }] of ops.entries()) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < options.perRound; i++) await op();
      samples[k]?.push(Number(process.hrtime.bigint() - t0) / 1000 / options.perRound);
    }
  }
  return ops.map(({ name }, k) => result(name, samples[k] ?? []));
}

function result(name: string, samples: number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  const usPerOp = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  return { name, usPerOp, opsPerSecond: 1e6 / usPerOp };
}

export function formatRow(m: Measurement): string {
  return `${m.name.padEnd(58)} ${m.usPerOp.toFixed(1).padStart(9)} µs/invite ${Math.round(m.opsPerSecond).toString().padStart(8)} invites/s`;
}
