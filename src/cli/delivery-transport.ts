/**
 * The transport a sending command uses, built from the resolved settings (delivery-settings.ts):
 * the files are read here (password, CA, OAuth2 credentials, DKIM key), each secret registered
 * with the io's mask before anything could print it, then the library is called —
 * createSmtpTransport, createOAuthTokenSource, withDkimSigning — so that the CLI adds no policy of
 * its own beyond the warning banner of --insecure.
 */
import { SmtpInviteError } from '../errors.ts';
import { withDkimSigning } from '../transport/dkim-signing.ts';
import { createMemoryTransport } from '../transport/memory-transport.ts';
import { createOAuthTokenSource, parseGoogleServiceAccountKey } from '../transport/oauth-token.ts';
import type { OAuthConfig, OAuthTokenSource } from '../transport/oauth-token.ts';
import { createOutboxTransport } from '../transport/outbox-transport.ts';
import { createSmtpTransport, parseSmtpUrl } from '../transport/smtp-transport.ts';
import type { ParsedSmtpUrl } from '../transport/smtp-transport.ts';
import { formatHostPort } from '../transport/smtp-errors.ts';
import type { Transport } from '../transport/transport.ts';
import type { CliIo } from './cli-io.ts';
import type { DeliverySettings, OAuthSettings, SecretInput, Sourced } from './delivery-settings.ts';
import { urlHasPassword } from './delivery-settings.ts';
import { addUrlSecrets } from './secret-mask.ts';
import { readOptionFile } from './secret-file.ts';

export interface OpenDeliveryOptions {
  /**
   * The OAuth2 token source to log in with, instead of one built from the settings: check-setup
   * asks it for a token first, and the login must reuse that token, not fetch a second one.
   */
  readonly tokenSource?: OAuthTokenSource;
}

export function openDeliveryTransport(
  settings: DeliverySettings,
  io: CliIo,
  options: OpenDeliveryOptions = {},
): Transport {
  // The key is read (and refused if others can read it) before anything else is set up.
  const dkim =
    settings.dkim === undefined
      ? undefined
      : {
          domainName: settings.dkim.domain.value,
          keySelector: settings.dkim.selector.value,
          privateKey: readSecret(settings.dkim.key, io, { singleLine: false }),
          keySource:
            'file' in settings.dkim.key.value
              ? `${settings.dkim.key.origin} ${settings.dkim.key.value.file}`
              : settings.dkim.key.origin,
          onWarning: (message: string) => io.stderr.write(`warning: DKIM: ${message}\n`),
        };
  const inner = openInner(settings, io, options);
  if (dkim === undefined) return inner;
  try {
    return withDkimSigning(inner, dkim);
  } catch (err) {
    void inner.close();
    throw err;
  }
}

function openInner(settings: DeliverySettings, io: CliIo, options: OpenDeliveryOptions): Transport {
  const { target } = settings;
  switch (target.kind) {
    case 'dry-run':
      return createMemoryTransport();
    case 'outbox':
      if (target.defaulted) {
        io.stderr.write(
          `no SMTP server configured (--smtp, SMTP_URL or smtp in a config file): writing the messages to ${target.dir} instead of sending\n`,
        );
      }
      return createOutboxTransport({ dir: target.dir });
    case 'smtp':
      return openSmtp(settings, target.url, io, options);
  }
}

function openSmtp(
  settings: DeliverySettings,
  url: Sourced<string>,
  io: CliIo,
  options: OpenDeliveryOptions,
): Transport {
  const parsed = parseSourcedUrl(url);
  addUrlSecrets(io.secrets, url.value);

  let password: string | undefined;
  let oauth2: OAuthTokenSource | undefined;
  if (settings.oauth !== undefined) {
    if (urlHasPassword(url.value)) {
      throw new SmtpInviteError(
        'ERR_CONFIG',
        `${url.origin} holds a password, but --auth oauth2 logs in with a token: remove the password from the URL`,
      );
    }
    oauth2 = options.tokenSource ?? openTokenSource(settings.oauth, parsed, io);
  } else if (settings.password !== undefined) {
    password = readSecret(settings.password, io, { singleLine: true, user: parsed.user });
  } else if (parsed.user !== undefined && parsed.password === undefined) {
    // The transport would say "set SMTP_PASSWORD"; the CLI has three places for it.
    throw new SmtpInviteError(
      'ERR_SMTP_CONFIG',
      `${url.origin} names the user ${parsed.user} but no password was given: set SMTP_PASSWORD, give --password-file FILE, or put password or passwordFile in the config file (or log in with --auth oauth2)`,
    );
  }
  const tlsCa =
    settings.tlsCa === undefined
      ? undefined
      : readOptionFile(settings.tlsCa.value, { option: settings.tlsCa.origin, secret: false });
  const insecure = settings.insecure?.value === true;

  const transport = createSmtpTransport({
    url: url.value,
    ...(password === undefined ? {} : { password }),
    ...(oauth2 === undefined ? {} : { oauth2 }),
    ...(tlsCa === undefined ? {} : { tlsCa }),
    ...(settings.requireTls?.value === true ? { requireTls: true } : {}),
    ...(insecure ? { insecure: true } : {}),
    ...(settings.allowInsecureRemote ? { allowInsecureRemote: true } : {}),
  });
  // Only once the transport accepted it (a refused --insecure prints the refusal, not this).
  if (insecure && !parsed.loopback) {
    io.stderr.write(insecureBanner(settings.insecure?.origin ?? '--insecure', parsed));
  }
  return transport;
}

/**
 * Printed every time --insecure is used toward a host that is not this machine: the user allowed
 * it with SMTP_INVITE_ALLOW_INSECURE=1, possibly long ago in a CI setting, and should see it.
 */
/** The SMTP URL, or the transport's error prefixed with the setting it came from. */
export function parseSourcedUrl(url: Sourced<string>): ParsedSmtpUrl {
  try {
    return parseSmtpUrl(url.value);
  } catch (err) {
    // Name the setting to fix; parseSmtpUrl never quotes the URL (it may hold a password).
    throw err instanceof SmtpInviteError
      ? new SmtpInviteError(err.code, `${url.origin}: ${err.message}`)
      : err;
  }
}

export function insecureBanner(origin: string, url: ParsedSmtpUrl): string {
  const where = formatHostPort(url.host, url.port);
  const what = url.secure
    ? ["the server's TLS certificate is NOT verified."]
    : [
        "the server's TLS certificate is NOT verified, and the session is NOT encrypted",
        'at all if the server does not offer STARTTLS.',
      ];
  const lines = [
    '='.repeat(70),
    `${origin} toward ${where}, which is not this machine:`,
    ...what,
    'Anyone on the network path can read or change the invitations and capture',
    'the credentials. Allowed because SMTP_INVITE_ALLOW_INSECURE=1 is set.',
    'To trust a private CA or a self-signed server instead, give its certificate',
    'with --tls-ca FILE and drop --insecure.',
    '='.repeat(70),
  ];
  // Every line marked, so that a log filtered for warnings shows the whole of it.
  return lines.map((line) => `WARNING: ${line}\n`).join('');
}

function openTokenSource(oauth: OAuthSettings, url: ParsedSmtpUrl, io: CliIo): OAuthTokenSource {
  const config = oauthConfig(oauth, url, io);
  const source = createOAuthTokenSource(config);
  // Every access token it issues, masked from the moment it exists.
  io.secrets?.addSource(() => source.secrets(), source.user);
  return source;
}

/**
 * The library's OAuthConfig from the settings. Only what the CLI adds is checked here (the mailbox
 * defaults to the SMTP URL's user; the files are read): createOAuthTokenSource validates the rest
 * and names the flags, environment variables and config keys in its messages.
 */
export function oauthConfig(oauth: OAuthSettings, url: ParsedSmtpUrl, io: CliIo): OAuthConfig {
  const provider = oauth.provider?.value ?? 'token';
  const user = oauth.user?.value ?? url.user;
  if (user === undefined) {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      'OAuth2 needs the mailbox to log in as: put it in the SMTP URL (smtp://user@host) or give --oauth-user EMAIL (oauth2.user in the config file)',
    );
  }
  const secret = (input: Sourced<SecretInput> | undefined): string | undefined =>
    input === undefined ? undefined : readSecret(input, io, { singleLine: true, user });
  const given = (entries: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));

  if (provider === 'token') {
    return given({ provider, user, accessToken: secret(oauth.accessToken) }) as OAuthConfig;
  }
  const common = {
    provider,
    user,
    clientId: oauth.clientId?.value,
    clientSecret: secret(oauth.clientSecret),
    refreshToken: secret(oauth.refreshToken),
    tokenUrl: oauth.tokenUrl?.value,
    scope: oauth.scope?.value,
  };
  if (provider === 'microsoft') {
    return given({
      ...common,
      tenant: oauth.tenant?.value,
      certificate: certificateOf(oauth, io),
    }) as OAuthConfig;
  }
  return given({
    ...common,
    serviceAccount:
      oauth.serviceAccountFile === undefined
        ? undefined
        : readServiceAccount(oauth.serviceAccountFile, io),
  }) as OAuthConfig;
}

function certificateOf(
  oauth: OAuthSettings,
  io: CliIo,
): { privateKeyPem: string; certificatePem: string } | undefined {
  const { certificateFile, privateKeyFile } = oauth;
  if (certificateFile === undefined && privateKeyFile === undefined) return undefined;
  if (certificateFile === undefined || privateKeyFile === undefined) {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      'a Microsoft 365 certificate credential needs both the certificate (--oauth-certificate-file, oauth2.certificateFile) and its private key (--oauth-private-key-file, oauth2.privateKeyFile)',
    );
  }
  const certificatePem = readOptionFile(certificateFile.value, {
    option: certificateFile.origin,
    secret: false,
  });
  const privateKeyPem = readSecret(
    { ...privateKeyFile, value: { file: privateKeyFile.value } },
    io,
    { singleLine: false },
  );
  return { privateKeyPem, certificatePem };
}

/** Google's service-account JSON key: client_email and private_key. Never quoted in errors. */
function readServiceAccount(
  file: Sourced<string>,
  io: CliIo,
): { clientEmail: string; privateKeyPem: string } {
  const text = readOptionFile(file.value, { option: file.origin });
  // The whole file is a secret (it holds the private key), whatever the parser makes of it.
  io.secrets?.add(text);
  const key = parseGoogleServiceAccountKey(text, `${file.origin} ${file.value}`);
  io.secrets?.add(key.privateKeyPem);
  return key;
}

/** A secret's text (read from its file if need be), registered with the mask at once. */
function readSecret(
  input: Sourced<SecretInput>,
  io: CliIo,
  options: { singleLine: boolean; user?: string | undefined },
): string {
  const text =
    'text' in input.value
      ? input.value.text
      : readOptionFile(input.value.file, { option: input.origin, singleLine: options.singleLine });
  io.secrets?.add(text, options.user);
  return text;
}
