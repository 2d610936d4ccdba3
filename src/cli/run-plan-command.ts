/**
 * The shared face of the commands that change an event and mail attendees (send, update, cancel):
 * the ledger, the transport, progress on stderr, the `--json` report on stdout, exit codes.
 */
import type { ExecutedPlan, ExecutePlanOptions } from '../flows/execute-plan.ts';
import type { BuildOptions } from '../flows/build-invite.ts';
import type { Ledger } from '../ledger/ledger-types.ts';
import { hasRejections, type SendReport } from '../flows/send-invite.ts';
import { EXIT, type CliIo } from './cli-io.ts';
import { selectTransport, type DeliveryValues } from './common-options.ts';
import { openLedgerFor, openLedgerForDryRun } from './ledger-option.ts';
import { reportError } from './report-problems.ts';

export interface PlanCommandValues extends DeliveryValues {
  readonly db?: string | undefined;
  readonly json?: boolean | undefined;
}

export async function runPlanCommand(
  command: string,
  values: PlanCommandValues,
  io: CliIo,
  build: Omit<BuildOptions, 'recipients' | 'method' | 'limits'>,
  execute: (options: ExecutePlanOptions & { ledger: Ledger }) => Promise<ExecutedPlan>,
): Promise<number> {
  const dryRun = values['dry-run'] ?? false;
  const done: SendReport['messages'][number][] = [];
  let ledger: Ledger | undefined;
  const transport = selectTransport(command, values, io);
  try {
    ledger = dryRun ? openLedgerForDryRun(values, io) : openLedgerFor(values, io);
    const result = await execute({
      ledger,
      transport,
      dryRun,
      build,
      onDelivered: (message, outcome, file) => {
        done.push(outcome);
        if (values.json) return;
        const what = `${message.method} (SEQUENCE ${message.sequence})`;
        const to = message.recipients.join(', ');
        if (dryRun) io.stderr.write(`dry run: would send ${what} to ${to}\n`);
        else if (file !== undefined) io.stderr.write(`wrote ${what} for ${to} to ${file}\n`);
        else {
          io.stderr.write(
            `sent ${what} to ${to} via ${transport.description}: ${outcome.accepted.length} accepted, ${outcome.rejected.length} refused\n`,
          );
          for (const r of outcome.rejected)
            io.stderr.write(`  refused ${r.email}: ${r.code ?? ''} ${r.response}\n`);
        }
      },
    });
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ dryRun: result.dryRun, uid: result.uid, sequence: result.sequence, changes: result.changes, messages: result.messages })}\n`,
      );
    } else {
      if (result.messages.length === 0)
        io.stderr.write(`${command}: nothing changed, nothing to send\n`);
      else if (result.changes.length > 0)
        io.stderr.write(`${command}: ${result.changes.join('; ')}\n`);
      io.stdout.write(`${result.uid}\n`);
    }
    return hasRejections(result) ? EXIT.partial : EXIT.ok;
  } catch (err) {
    if (values.json) io.stdout.write(`${JSON.stringify({ dryRun, messages: done })}\n`);
    return reportError(io, err, command);
  } finally {
    ledger?.close();
    await transport.close();
  }
}
