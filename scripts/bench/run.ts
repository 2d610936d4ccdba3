/** `npm run bench`: every benchmark, each printing our figure, the baseline's and the ratio. */
import { runBuildBenchmark } from './build-invite.bench.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
log(`node ${process.version}, ${process.arch}; ${new Date().toISOString()}`);
await runBuildBenchmark(log);
