/** Options shared by the commands that build and send (the contract later commands follow too). */
import { resolve } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { INVITE_METHODS, type InviteMethod } from '../model/invite.ts';
import type { MessageProfile } from '../mime/compose-message.ts';
import { createMemoryTransport } from '../transport/memory-transport.ts';
import { createOutboxTransport } from '../transport/outbox-transport.ts';
import { createSmtpTransport, parseSmtpUrl } from '../transport/smtp-transport.ts';
import type { Transport } from '../transport/transport.ts';
import type { CliIo } from './cli-io.ts';

export function usage(command: string, message: string): SmtpInviteError {
  return new SmtpInviteError(
    'ERR_USAGE',
    `${command}: ${message} (see smtp-invite ${command} --help)`,
  );
}

export function parseMethodOption(
  value: string | undefined,
  command: string,
): InviteMethod | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if ((INVITE_METHODS as readonly string[]).includes(upper)) return upper as InviteMethod;
  throw usage(
    command,
    `--method must be one of ${INVITE_METHODS.join(', ')} (replies and counters are built by other commands), not "${value}"`,
  );
}

export function parseProfileOption(value: string | undefined, command: string): MessageProfile {
  if (value === undefined) return 'default';
  if (value === 'default' || value === 'outlook') return value;
  throw usage(command, `--profile must be "default" or "outlook", not "${value}"`);
}

/** parseArgs specs of the delivery options every sending command accepts. */
export const DELIVERY_OPTIONS = {
  smtp: { type: 'string' },
  outbox: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  insecure: { type: 'boolean' },
} as const;

export const DELIVERY_HELP = `Delivery (every sending command):
  --smtp URL           SMTP server: smtp://[user@]host[:587] (STARTTLS required unless the host is
                       loopback) or smtps://[user@]host[:465] (implicit TLS). Default: $SMTP_URL.
                       The password comes from the URL or $SMTP_PASSWORD and is never printed.
  --outbox DIR         Write the messages as .eml files to DIR instead of sending. Used (with
                       ./outbox) when no SMTP server is configured.
  --dry-run            Build and report; send and write nothing.
  --json               Print {"dryRun","messages":[{"messageId","method","sequence","recipients",
                       "accepted","rejected":[{"email","code","response"}]}]} on stdout.
  --insecure           Allow plaintext or an unverified certificate to a non-loopback server.
`;

export interface DeliveryValues {
  readonly smtp?: string | undefined;
  readonly outbox?: string | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly insecure?: boolean | undefined;
}

/** Chooses where messages go: dry run, explicit outbox, SMTP (flag or env), or the default outbox. */
export function selectTransport(command: string, values: DeliveryValues, io: CliIo): Transport {
  if (values.smtp !== undefined && values.outbox !== undefined) {
    throw usage(command, 'give either --smtp or --outbox, not both');
  }
  if (values['dry-run']) return createMemoryTransport();
  if (values.outbox !== undefined)
    return createOutboxTransport({ dir: resolve(io.cwd, values.outbox) });
  const url = values.smtp ?? nonEmpty(io.env['SMTP_URL']);
  if (url === undefined) {
    const dir = resolve(io.cwd, 'outbox');
    io.stderr.write(
      `no SMTP server configured (--smtp or SMTP_URL): writing the messages to ${dir} instead of sending\n`,
    );
    return createOutboxTransport({ dir });
  }
  const password = nonEmpty(io.env['SMTP_PASSWORD']);
  if (values.insecure && !parseSmtpUrl(url).loopback) {
    io.stderr.write(
      'WARNING: --insecure: the connection may be unencrypted or unverified; credentials and invitations can be read or altered on the way.\n',
    );
  }
  return createSmtpTransport({
    url,
    ...(password === undefined ? {} : { password }),
    ...(values.insecure ? { insecure: true } : {}),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
