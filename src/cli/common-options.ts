/** Options shared by the commands that build and send (the contract later commands follow too). */
import { relative } from 'node:path';
import { SmtpInviteError } from '../errors.ts';
import { INVITE_METHODS, type InviteMethod } from '../model/invite.ts';
import type { MessageProfile } from '../mime/compose-message.ts';
import type { Transport } from '../transport/transport.ts';
import type { CliIo } from './cli-io.ts';
import { loadCliConfig } from './config-file.ts';
import {
  resolveDeliverySettings,
  type DeliveryFlags,
  type DeliverySettings,
  type DkimFallback,
} from './delivery-settings.ts';
import { openDeliveryTransport } from './delivery-transport.ts';

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
  config: { type: 'string' },
  'password-file': { type: 'string' },
  'tls-ca': { type: 'string' },
  'require-tls': { type: 'boolean' },
  insecure: { type: 'boolean' },
  auth: { type: 'string' },
  'oauth-provider': { type: 'string' },
  'oauth-user': { type: 'string' },
  'oauth-tenant': { type: 'string' },
  'oauth-client-id': { type: 'string' },
  'oauth-token-url': { type: 'string' },
  'oauth-scope': { type: 'string' },
  'oauth-client-secret-file': { type: 'string' },
  'oauth-refresh-token-file': { type: 'string' },
  'oauth-certificate-file': { type: 'string' },
  'oauth-private-key-file': { type: 'string' },
  'oauth-service-account-file': { type: 'string' },
  'dkim-domain': { type: 'string' },
  'dkim-selector': { type: 'string' },
  'dkim-key': { type: 'string' },
} as const;

export const DELIVERY_HELP_HEADER = `Delivery (every sending command). Each setting: flag, else environment, else config file.
`;

/** --smtp and --password-file, shared by DELIVERY_HELP and the batch command's own. */
export const DELIVERY_SERVER_HELP = `  --smtp URL           SMTP server: smtp://[user@]host[:587] (STARTTLS required unless the host is
                       loopback) or smtps://[user@]host[:465] (implicit TLS). Env SMTP_URL, config
                       "smtp". No password in --smtp: other users can read the command line.
  --password-file F    The SMTP password, from a file only you can read (chmod 600). Else env
                       SMTP_PASSWORD, config "password" or "passwordFile". Never printed.
`;

/** The config file, TLS, OAuth2 and DKIM options (every sending command, batch included). */
export const DELIVERY_SETTINGS_HELP = `  --config FILE        JSON settings file. Default: $SMTP_INVITE_CONFIG, else
                       smtp-invite.config.json or .smtp-inviterc in the current directory. Keys:
                       smtp, password, passwordFile, tlsCa, requireTls, insecure, auth, oauth2 {…},
                       dkim {…}, identity {…}; relative paths are relative to the file. With an
                       inline secret the file must be chmod 600.
TLS (verified by default):
  --tls-ca FILE        Trust this CA certificate (PEM) besides the system's: a private CA, or a
                       self-signed server's own certificate. On a loopback smtp:// host it also
                       turns STARTTLS on, required. Config "tlsCa".
  --require-tls        STARTTLS required and verified even to a loopback host (never plaintext).
                       Config "requireTls".
  --insecure           Skip certificate verification (smtp://: plaintext if STARTTLS is missing).
                       Refused toward a host that is not this machine unless
                       SMTP_INVITE_ALLOW_INSECURE=1, and then a warning is printed every time.
OAuth2 login (XOAUTH2; Microsoft 365, Google Workspace):
  --auth oauth2        Log in with an OAuth2 token instead of a password (default: password).
  --oauth-provider P   token (a ready token in SMTP_OAUTH_TOKEN; the default), microsoft or google.
  --oauth-user EMAIL   The mailbox to log in as. Default: the user in the SMTP URL.
  --oauth-tenant ID    Microsoft: the directory (tenant) id or domain.
  --oauth-client-id ID The app's client id.
  --oauth-client-secret-file F   The app's client secret. Or SMTP_INVITE_OAUTH_CLIENT_SECRET.
  --oauth-refresh-token-file F   A refresh token from a sign-in (delegated).
                                 Or SMTP_INVITE_OAUTH_REFRESH_TOKEN.
  --oauth-certificate-file F     Microsoft: the app's certificate (PEM) ...
  --oauth-private-key-file F     ... and its private key (PEM), instead of a client secret.
  --oauth-service-account-file F Google: a service account's JSON key (domain-wide delegation).
  --oauth-token-url URL          Another token endpoint (sovereign clouds, tests).
  --oauth-scope S                Another scope than the provider's SMTP scope.
                       Config "oauth2": {provider, user, tenant, clientId, …}.
DKIM signing (all three, else none):
  --dkim-domain D      The signing domain (d=). Env SMTP_INVITE_DKIM_DOMAIN.
  --dkim-selector S    The selector (s=): the key is published at S._domainkey.D.
                       Env SMTP_INVITE_DKIM_SELECTOR.
  --dkim-key FILE      The private key (PEM, chmod 600). Env SMTP_INVITE_DKIM_KEY_FILE, or the PEM
                       text in SMTP_INVITE_DKIM_KEY. Config "dkim": {domain, selector, keyFile}.
`;

export const DELIVERY_HELP = [
  DELIVERY_HELP_HEADER,
  DELIVERY_SERVER_HELP,
  `  --outbox DIR         Write the messages as .eml files to DIR instead of sending. Used (with
                       ./outbox) when no SMTP server is configured.
  --dry-run            Build and report; send and write nothing.
  --json               Print {"dryRun","messages":[{"messageId","method","sequence","recipients",
                       "accepted","rejected":[{"email","code","response"}]}]} on stdout.
`,
  DELIVERY_SETTINGS_HELP,
].join('');

/** The parseArgs values of DELIVERY_OPTIONS (every key optional: commands add their own). */
export type DeliveryValues = DeliveryFlags;

/**
 * Chooses where messages go — dry run, explicit outbox, SMTP (flag, env or config file), or the
 * default outbox — with every delivery setting resolved flags > env > config file
 * (delivery-settings.ts) and built by delivery-transport.ts: TLS options, password or OAuth2,
 * DKIM signing around whichever transport it is. Secrets read on the way are registered with
 * io.secrets, so nothing written afterwards shows them.
 */
export function selectTransport(command: string, values: DeliveryValues, io: CliIo): Transport {
  return openDeliveryTransport(resolveDelivery(command, values, io), io);
}

/**
 * The delivery settings of selectTransport, for a command that looks at them before the transport
 * is opened (batch stores the DKIM settings with a new batch and gives a resumed one's back).
 */
export function resolveDelivery(
  command: string,
  values: DeliveryValues,
  io: CliIo,
  options: { readonly dkimFallback?: DkimFallback } = {},
): DeliverySettings {
  const config = loadCliConfig(io, values.config);
  return resolveDeliverySettings({
    command,
    flags: values,
    env: io.env,
    cwd: io.cwd,
    config,
    ...(config === undefined ? {} : { configName: displayName(config.path, io.cwd) }),
    ...(options.dkimFallback === undefined ? {} : { dkimFallback: options.dkimFallback }),
  });
}

function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
}
