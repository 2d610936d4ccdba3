/**
 * Preload for the batch benchmark: `node --import ./scripts/bench/max-rss.ts src/cli/main.ts …`
 * prints the process's peak resident set size on stderr when it exits, as one parseable line:
 *
 *   smtp-invite-bench max-rss-kb=123456 peak-heap-used-kb=45678
 *
 * max-rss-kb is process.resourceUsage().maxRSS (kilobytes, the kernel's ru_maxrss: the figure the
 * targets are about). peak-heap-used-kb is the largest V8 heapUsed seen by a sample every 200 ms:
 * it tells JavaScript objects apart from native memory (SQLite, buffers, the worker's isolate).
 * Written with fs.writeSync so that it is out before the process is gone, whatever way it exits.
 * Side effects only: importing it installs the report (batch.bench.ts parses the line).
 */
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  let peakHeapUsed = 0;
  const sample = (): void => {
    peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  };
  setInterval(sample, 200).unref();
  process.on('exit', () => {
    sample();
    const line = `smtp-invite-bench max-rss-kb=${process.resourceUsage().maxRSS} peak-heap-used-kb=${Math.round(peakHeapUsed / 1024)}`;
    try {
      writeSync(2, `\n${line}\n`);
    } catch {
      // stderr closed: nothing to report to.
    }
  });
}
