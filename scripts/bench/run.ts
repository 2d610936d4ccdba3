/** `npm run bench`: every benchmark, each printing our figure, the baseline's and the ratio. */
import { runBuildBenchmark } from './build-invite.bench.ts';
import { runInspectBenchmark } from './inspect.bench.ts';
import { runBatchBenchmark } from './batch.bench.ts';
import { runDkimBenchmark } from './dkim.bench.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const only = process.argv[2];
log(`node ${process.version}, ${process.arch}; ${new Date().toISOString()}`);
if (only === undefined || only === 'build') await runBuildBenchmark(log);
if (only === undefined || only === 'inspect') await runInspectBenchmark(log);
if (only === undefined || only === 'batch') await runBatchBenchmark(log);
if (only === undefined || only === 'dkim') await runDkimBenchmark(log);
