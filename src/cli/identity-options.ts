/**
 * The sender-identity options of every command that sends as the organizer (send, update, cancel,
 * decline-counter, ingest's REFRESH answers, batch, build): `--service EMAIL [--service-name NAME]`
 * or `--sender EMAIL`, else the config file's `identity` ({"service", "sender"}). Flags win over
 * the file, and as a whole: one identity flag replaces the file's identity (a `--sender` flag
 * with a file naming a service is the sender mode, not a conflict). The library does the rest
 * (flows/sender-identity.ts).
 */
import { SmtpInviteError } from '../errors.ts';
import type { IdentityOptions } from '../flows/sender-identity.ts';
import type { MailAddress } from '../mime/compose-message.ts';
import { describeEmailProblem } from '../model/check-email.ts';
import type { CliIo } from './cli-io.ts';
import { usage } from './common-options.ts';
import { loadCliConfig } from './config-file.ts';

/** parseArgs specs. */
export const IDENTITY_OPTIONS = {
  service: { type: 'string' },
  'service-name': { type: 'string' },
  sender: { type: 'string' },
} as const;

export const IDENTITY_HELP = `Who sends (README "Who sends: three modes"; default: the organizer, From = ORGANIZER):
  --service EMAIL      A service sends on behalf of the organizer (booking and event platforms):
                       From = EMAIL, Reply-To = the organizer, ORGANIZER;SENT-BY = EMAIL, SMTP
                       envelope sender = EMAIL, so the service's own domain passes SPF/DKIM/DMARC.
  --service-name NAME  The service's display name in From (with --service).
  --sender EMAIL       A shared-mailbox member or delegate with Send on Behalf rights: Sender =
                       EMAIL, ORGANIZER;SENT-BY = EMAIL, envelope sender = EMAIL; From stays the
                       organizer. Not with --service. (With Send As rights, just make the shared
                       mailbox the organizer and give neither.)
                       Default: "identity": {"service" | "sender"} in the config file.
`;

export interface IdentityValues {
  readonly service?: string | undefined;
  readonly 'service-name'?: string | undefined;
  readonly sender?: string | undefined;
  /** `--config FILE` (a delivery option), when the command has it. */
  readonly config?: string | undefined;
}

/** The identity of this invocation: flags, else the config file's, else none (the organizer). */
export function resolveIdentityOptions(
  command: string,
  values: IdentityValues,
  io: CliIo,
): IdentityOptions {
  const flagged = identityFromFlags(command, values);
  if (flagged !== undefined) return flagged;
  const config = loadCliConfig(io, values.config);
  const identity = config?.identity;
  if (config === undefined || identity === undefined) return {};
  const service = configAddress(config.path, 'identity.service', identity.service);
  const sender = configAddress(config.path, 'identity.sender', identity.sender);
  if (service !== undefined && sender !== undefined) {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      `${config.path}: identity: give "service" or "sender", not both (a service sending for the organizer is From; a delegate leaves From to the organizer)`,
    );
  }
  if (service !== undefined) return { service };
  if (sender !== undefined) return { sender };
  return {};
}

/**
 * The flags alone, for `build`: it writes files offline (fixtures, goldens), so a config file in
 * the directory must not change its bytes.
 */
export function identityFromFlagsOnly(command: string, values: IdentityValues): IdentityOptions {
  return identityFromFlags(command, values) ?? {};
}

/** True when an identity flag was given (batch --resume refuses them: the batch keeps its own). */
export function hasIdentityFlags(values: IdentityValues): boolean {
  return (
    values.service !== undefined ||
    values['service-name'] !== undefined ||
    values.sender !== undefined
  );
}

function identityFromFlags(command: string, values: IdentityValues): IdentityOptions | undefined {
  const { service, sender } = values;
  const name = values['service-name'];
  if (service !== undefined && sender !== undefined) {
    throw usage(
      command,
      'give --service or --sender, not both: --service makes the service the From address, --sender keeps the organizer as From and names the mailbox that sends for it',
    );
  }
  if (name !== undefined && service === undefined) {
    throw usage(command, '--service-name names the --service address: give --service EMAIL too');
  }
  if (service !== undefined) {
    const email = checkAddressOption(command, '--service', service);
    return { service: name === undefined || name.trim() === '' ? { email } : { name, email } };
  }
  if (sender !== undefined)
    return { sender: { email: checkAddressOption(command, '--sender', sender) } };
  return undefined;
}

/**
 * Like checkEmailOption, but the value is shown JSON-quoted: a pasted address with a line break or
 * a control character is printed as `\r\n`, not written to the terminal.
 */
function checkAddressOption(command: string, option: string, value: string): string {
  const trimmed = value.trim();
  const problem = describeEmailProblem(trimmed);
  if (problem !== undefined)
    throw usage(command, `${option} ${JSON.stringify(value.slice(0, 200))} ${problem}`);
  return trimmed;
}

/**
 * The config loader validates the file; this re-checks what reaches the headers (an address object
 * from any loader version), naming the file and key like every config error.
 */
function configAddress(
  path: string,
  key: string,
  value: MailAddress | undefined,
): MailAddress | undefined {
  if (value === undefined) return undefined;
  // The contract says {name?, email}; a bare string (the file's short form) is accepted too.
  const raw: unknown = value;
  if (typeof raw === 'string') return configAddress(path, key, { email: raw });
  const email: unknown = (value as { email?: unknown }).email;
  const problem =
    typeof email === 'string' ? describeEmailProblem(email.trim()) : 'must be an email address';
  if (problem !== undefined) {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      `${path}: ${key}.email ${typeof email === 'string' ? `"${email.trim().slice(0, 100)}" ` : ''}${problem}`,
    );
  }
  const name: unknown = (value as { name?: unknown }).name;
  if (name !== undefined && typeof name !== 'string')
    throw new SmtpInviteError('ERR_CONFIG', `${path}: ${key}.name must be a string`);
  const trimmedEmail = (email as string).trim();
  return name === undefined || name.trim() === ''
    ? { email: trimmedEmail }
    : { name, email: trimmedEmail };
}
