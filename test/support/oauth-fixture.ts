/**
 * The OAuth2 applications the tests register at the local token endpoint (token-server.ts): a
 * Microsoft 365 app and a Google Workspace client, with the settings a token source needs for
 * each flow. Every OAuth2 test takes its ids, secrets and keys from here, so that the secret a
 * test looks for in an error is the one the endpoint knows.
 */
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';

import type { SmtpInviteError } from '../../src/errors.ts';
import type { OAuthConfig } from '../../src/transport/oauth-token.ts';
import { tlsFixture } from './smtp-test-server.ts';
import type { GoogleClient, MicrosoftApp, TokenServer } from './token-server.ts';

/** The mailbox the tokens are for (and the one the service account was delegated for). */
export const USER = 'invites@contoso.example';
export const TENANT = 'contoso.onmicrosoft.com';
export const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
export const CLIENT_SECRET = 'Zx8Q~client.secret-value_0123456789';
export const REFRESH_TOKEN = 'rt.initial-refresh-token-0123456789';
export const GOOGLE_CLIENT_ID = '1234-abc.apps.googleusercontent.com';
export const GOOGLE_SECRET = 'GOCSPX-google-client-secret';
export const SA_EMAIL = 'sender@project-1.iam.gserviceaccount.com';

const googleKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** The service account's key, as its JSON key file holds it. */
export const GOOGLE_PRIVATE_PEM = googleKeys.privateKey
  .export({ type: 'pkcs8', format: 'pem' })
  .toString();
export const GOOGLE_PUBLIC_PEM = googleKeys.publicKey
  .export({ type: 'spki', format: 'pem' })
  .toString();

const tls = tlsFixture();
/** The certificate credential of the Microsoft app (the fixture server's key and certificate). */
export const APP_CERTIFICATE = { privateKeyPem: tls.server.key, certificatePem: tls.server.cert };

/** The Microsoft app as the endpoint registers it; `extra` changes or adds to it. */
export const microsoftApp = (extra: Partial<MicrosoftApp> = {}): { microsoft: MicrosoftApp } => ({
  microsoft: {
    tenant: TENANT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    certificatePem: APP_CERTIFICATE.certificatePem,
    refreshToken: REFRESH_TOKEN,
    ...extra,
  },
});

/** The Google client as the endpoint registers it: the service account delegated for `users`. */
export const googleClient = (users: readonly string[] = [USER]): { google: GoogleClient } => ({
  google: {
    serviceAccount: { clientEmail: SA_EMAIL, publicKeyPem: GOOGLE_PUBLIC_PEM, users },
    clientId: GOOGLE_CLIENT_ID,
    clientSecret: GOOGLE_SECRET,
    refreshToken: REFRESH_TOKEN,
  },
});

/**
 * The CLI flags for XOAUTH2 to `smtpUrl` (which names the mailbox) with the Microsoft app at the
 * endpoint `t`; the credential (client secret, certificate…) is for the caller to add.
 */
export const microsoftCliFlags = (smtpUrl: string, t: TokenServer): string[] => [
  '--smtp',
  smtpUrl,
  '--auth',
  'oauth2',
  '--oauth-provider',
  'microsoft',
  '--oauth-tenant',
  TENANT,
  '--oauth-client-id',
  CLIENT_ID,
  '--oauth-token-url',
  t.microsoftTokenUrl,
];

export type MicrosoftConfig = Extract<OAuthConfig, { provider: 'microsoft' }>;
export type GoogleConfig = Extract<OAuthConfig, { provider: 'google' }>;

/** Microsoft settings for USER of the app at `tokenUrl`; `credential` adds the secret, certificate or refresh token (and may change any field). */
export const microsoftConfig = (
  tokenUrl: string,
  credential: Partial<MicrosoftConfig>,
): MicrosoftConfig => ({
  provider: 'microsoft',
  user: USER,
  tenant: TENANT,
  clientId: CLIENT_ID,
  tokenUrl,
  ...credential,
});

/** Google settings for USER at `tokenUrl`; `credential` adds the service account or the refresh-token client (and may change any field). */
export const googleConfig = (
  tokenUrl: string,
  credential: Partial<GoogleConfig>,
): GoogleConfig => ({
  provider: 'google',
  user: USER,
  tokenUrl,
  ...credential,
});

/** The Google credential of an installed app: client id, secret and a refresh token. */
export const GOOGLE_REFRESH = {
  clientId: GOOGLE_CLIENT_ID,
  clientSecret: GOOGLE_SECRET,
  refreshToken: REFRESH_TOKEN,
} as const;

/** The Google credential of the service account (its JSON key's client_email and private_key). */
export const GOOGLE_SERVICE_ACCOUNT = {
  serviceAccount: { clientEmail: SA_EMAIL, privateKeyPem: GOOGLE_PRIVATE_PEM },
} as const;

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago): a token endpoint that cannot be reached. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Everything an error exposes that could reach a terminal, a log or --json, down its cause chain. */
export function visible(err: SmtpInviteError): string {
  const parts = [
    err.message,
    err.stack ?? '',
    String(err),
    JSON.stringify(err),
    err.response ?? '',
  ];
  let cause: unknown = err.cause;
  for (let depth = 0; depth < 5 && cause !== undefined && cause !== null; depth++) {
    parts.push(
      cause instanceof Error
        ? `${cause.message}\n${cause.stack ?? ''}`
        : typeof cause === 'string'
          ? cause
          : '',
      JSON.stringify(cause) ?? '',
    );
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}
