/**
 * OAuth2 access tokens for SMTP XOAUTH2 (Microsoft 365, Google Workspace), with node:crypto and the
 * global fetch only.
 *
 * Flows (each a token endpoint POST, RFC 6749 §4.4 / §6, RFC 7523):
 * - `token`: a ready access token, used as given and never renewed.
 * - `microsoft`, app-only (client credentials, SMTP.SendAsApp) with a client secret or a
 *   certificate (a signed `client_assertion`, see oauth-jwt.ts); scope
 *   https://outlook.office365.com/.default
 *   (https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
 * - `microsoft`, delegated (SMTP.Send): a refresh token from an interactive sign-in; scope
 *   https://outlook.office.com/SMTP.Send offline_access. Entra ID rotates refresh tokens: the new
 *   one replaces the old in memory and goes to `onRefreshToken` (persisting it is the caller's).
 * - `google`, a service account with domain-wide delegation (the JWT bearer grant, sub = the
 *   mailbox, scope https://mail.google.com/), or a client id + secret + refresh token.
 *
 * A token is reused until shortly before it expires; concurrent requests share one HTTP request
 * (the batch engine logs several connections in at once); `renew` forces a new one after the SMTP
 * server refused the last. Every failure is ERR_SMTP_AUTH naming the provider, the endpoint's host,
 * the OAuth `error` and what to check; bad settings are ERR_CONFIG naming the field. No secret
 * (client secret, refresh token, private key, assertion, issued token) is ever put in a message.
 */
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { SmtpInviteError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import {
  certificateThumbprints,
  readCertificate,
  readRsaPrivateKey,
  signJwt,
} from './oauth-jwt.ts';
import { isLoopback, normalizeUrlHost } from './server-url.ts';

/** Where the SMTP transport gets the bearer token for each login. */
export interface OAuthTokenSource {
  /** The mailbox the token is for (the XOAUTH2 `user=`). */
  readonly user: string;
  /**
   * A valid access token. Cached until shortly before it expires; `renew` = true forces a new one
   * (the server refused the last). With `refused`, the token the server refused: when the cache
   * already holds another one (a concurrent login renewed it meanwhile), that one is returned
   * without a new request. A `token` source has nothing to renew with and returns its token.
   * Throws ERR_SMTP_AUTH when none can be obtained.
   */
  getToken(renew: boolean, refused?: string): Promise<string>;
  /** Every secret this source holds or has issued (tokens, client secret, refresh token), to mask. */
  secrets(): readonly string[];
  /** Which provider the tokens come from. */
  readonly provider?: OAuthConfig['provider'];
  /**
   * What to check when the SMTP server refuses this source's token (one sentence, no secret):
   * ERR_SMTP_AUTH messages end with it.
   */
  readonly hint?: string;
}

/** How to obtain tokens. `tokenUrl` overrides the provider's endpoint (tests, sovereign clouds). */
export type OAuthConfig =
  | {
      /** A ready access token (SMTP_OAUTH_TOKEN); never refreshed. */
      readonly provider: 'token';
      readonly user: string;
      readonly accessToken: string;
    }
  | {
      readonly provider: 'microsoft';
      readonly user: string;
      readonly tenant: string;
      readonly clientId: string;
      /** Client-credentials flow with a secret (SMTP.SendAsApp). */
      readonly clientSecret?: string;
      /** Client-credentials flow with a certificate: PEM private key + PEM certificate (for x5t). */
      readonly certificate?: { readonly privateKeyPem: string; readonly certificatePem: string };
      /** Delegated flow (SMTP.Send): a refresh token from an interactive sign-in. */
      readonly refreshToken?: string;
      readonly tokenUrl?: string;
      readonly scope?: string;
    }
  | {
      readonly provider: 'google';
      readonly user: string;
      /** Service account with domain-wide delegation: its JSON key's client_email and private_key. */
      readonly serviceAccount?: { readonly clientEmail: string; readonly privateKeyPem: string };
      /** Installed/web app: client id + secret + refresh token. */
      readonly clientId?: string;
      readonly clientSecret?: string;
      readonly refreshToken?: string;
      readonly tokenUrl?: string;
      readonly scope?: string;
    };

export interface OAuthTokenSourceOptions {
  /** Clock (ms since epoch); default Date.now. */
  readonly now?: () => number;
  /** HTTP client; default the global fetch. */
  readonly fetch?: typeof fetch;
  /**
   * Called with the new refresh token when the endpoint rotates it (Microsoft does, on every
   * refresh): store it where the old one was, or the next run starts from the old one (which
   * stays valid until it expires or is revoked). The new one is used in memory either way; an
   * exception thrown here is ignored.
   */
  readonly onRefreshToken?: (refreshToken: string) => void;
  /** One token request, connection to last byte. Default 30 s. */
  readonly timeoutMs?: number;
}

export const MICROSOFT_APP_SCOPE = 'https://outlook.office365.com/.default';
export const MICROSOFT_DELEGATED_SCOPE = 'https://outlook.office.com/SMTP.Send offline_access';
export const GOOGLE_SCOPE = 'https://mail.google.com/';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Renew this long before expiry (or a quarter of a shorter lifetime): clock skew, slow logins. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** When the endpoint gives no expires_in (RFC 6749 §5.1 makes it optional). */
const ASSUMED_LIFETIME_MS = 5 * 60_000;
/** Microsoft's client assertion lives 10 minutes at most (certificate-credentials page). */
const ASSERTION_LIFETIME_S = 600;
/** Google's JWT may be valid for one hour at most (service-account page). */
const GOOGLE_ASSERTION_LIFETIME_S = 3600;
const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_DESCRIPTION = 240;
/** Issued tokens remembered for masking (a long run renews about hourly). */
const MAX_REMEMBERED_TOKENS = 32;

/** Where each setting comes from on the command line, for messages. */
const FIELD_SOURCES: Readonly<Record<string, string>> = {
  user: '--oauth-user, config oauth2.user',
  tenant: '--oauth-tenant, config oauth2.tenant',
  clientId: '--oauth-client-id, config oauth2.clientId',
  tokenUrl: '--oauth-token-url, config oauth2.tokenUrl',
  scope: '--oauth-scope, config oauth2.scope',
  accessToken: 'SMTP_OAUTH_TOKEN',
  clientSecret: 'SMTP_INVITE_OAUTH_CLIENT_SECRET or --oauth-client-secret-file',
  refreshToken: 'SMTP_INVITE_OAUTH_REFRESH_TOKEN or --oauth-refresh-token-file',
  certificate: '--oauth-certificate-file with --oauth-private-key-file',
  serviceAccount: '--oauth-service-account-file',
};

export function createOAuthTokenSource(
  config: OAuthConfig,
  options: OAuthTokenSourceOptions = {},
): OAuthTokenSource {
  if (typeof config !== 'object' || config === null) {
    throw configError('the OAuth2 settings are missing: give { provider, user, ... }');
  }
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw configError(
      `OAuth2 timeoutMs must be a positive whole number of milliseconds, not ${String(timeoutMs)}`,
    );
  }
  const provider = (config as { provider?: unknown }).provider;
  switch (provider) {
    case 'token':
      return staticSource(config as Extract<OAuthConfig, { provider: 'token' }>);
    case 'microsoft':
    case 'google': {
      const flow =
        provider === 'microsoft'
          ? microsoftFlow(config as Extract<OAuthConfig, { provider: 'microsoft' }>, now)
          : googleFlow(config as Extract<OAuthConfig, { provider: 'google' }>, now);
      return refreshingSource(flow, {
        now,
        fetch: options.fetch ?? globalThis.fetch,
        timeoutMs,
        ...(options.onRefreshToken === undefined ? {} : { onRefreshToken: options.onRefreshToken }),
      });
    }
    default:
      throw configError(
        `unknown OAuth2 provider ${JSON.stringify(String(provider).slice(0, 40))}: use token, microsoft or google (--oauth-provider, config oauth2.provider)`,
      );
  }
}

/**
 * The `client_email` and `private_key` of a Google service account JSON key (the file the Cloud
 * console downloads). `label` names it in errors (e.g. the file name); its content never appears.
 */
export function parseGoogleServiceAccountKey(
  json: string,
  label = 'the Google service account key',
): { clientEmail: string; privateKeyPem: string } {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw configError(
      `${label} is not JSON: give the JSON key downloaded for the service account (IAM & Admin → Service accounts → Keys → Add key → JSON)`,
    );
  }
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  if (record.type !== undefined && record.type !== 'service_account') {
    throw configError(
      `${label} is not a service account key (its "type" is not "service_account"): for an OAuth client, give the client id, secret and refresh token instead`,
    );
  }
  const clientEmail = record.client_email;
  const privateKeyPem = record.private_key;
  if (typeof clientEmail !== 'string' || clientEmail === '') {
    throw configError(`${label} has no "client_email": give the service account's JSON key`);
  }
  if (typeof privateKeyPem !== 'string' || privateKeyPem === '') {
    throw configError(`${label} has no "private_key": give the service account's JSON key`);
  }
  return { clientEmail, privateKeyPem };
}

// ---------------------------------------------------------------------------------------------
// Sources

function staticSource(config: Extract<OAuthConfig, { provider: 'token' }>): OAuthTokenSource {
  const label = 'OAuth2 (token)';
  const user = checkUser(config.user, label);
  const token = checkSecret(config.accessToken, 'accessToken', label);
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw configError(
      `${label}: the access token (SMTP_OAUTH_TOKEN) has spaces or characters no access token has: give the token alone, without "Bearer " or quotes`,
    );
  }
  const secrets = Object.freeze([token]);
  return {
    user,
    provider: 'token',
    hint: `the token in SMTP_OAUTH_TOKEN is used as given and never renewed: it has probably expired (access tokens last about an hour) or lacks the SMTP scope (Microsoft 365: ${MICROSOFT_DELEGATED_SCOPE.split(' ')[0]} or ${MICROSOFT_APP_SCOPE}; Google: ${GOOGLE_SCOPE}), or was issued for another mailbox than ${user}: get a new one, or let smtp-invite fetch tokens itself (--oauth-provider microsoft or google)`,
    // Nothing to renew with: the same token (the transport then reports the refusal).
    getToken: () => Promise.resolve(token),
    secrets: () => secrets,
  };
}

/** What a provider's flow contributes: how to ask, and how to explain a refusal. */
interface Flow {
  readonly provider: 'microsoft' | 'google';
  readonly user: string;
  /** "Microsoft Entra ID" / "Google". */
  readonly providerName: string;
  readonly tokenUrl: URL;
  /** The form of the next request (assertions are signed here, with the clock). */
  form(refreshToken: string | undefined): URLSearchParams;
  /** The refresh token this flow starts from, if it is a refresh flow. */
  readonly refreshToken?: string;
  /** Secrets held from the start: client secret, refresh token, private key. */
  readonly heldSecrets: readonly string[];
  /** What to check when the endpoint answers with `error` (and its description). */
  explain(error: string, description: string): string;
  /** What to check when the SMTP server refuses a token of this flow. */
  readonly hint: string;
}

interface RefreshingOptions {
  readonly now: () => number;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly onRefreshToken?: (refreshToken: string) => void;
}

interface CachedToken {
  readonly token: string;
  /** Renew from this instant on. */
  readonly refreshAt: number;
}

function refreshingSource(flow: Flow, options: RefreshingOptions): OAuthTokenSource {
  let refreshToken = flow.refreshToken;
  let current: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;
  const issued: string[] = [];
  const extraSecrets: string[] = [];
  let secretList: readonly string[] = Object.freeze([...flow.heldSecrets]);
  const remember = (kind: 'token' | 'secret', value: string): void => {
    const list = kind === 'token' ? issued : extraSecrets;
    if (list.includes(value)) return;
    list.push(value);
    if (list.length > MAX_REMEMBERED_TOKENS) list.shift();
    // A new array only when something changed, so that callers can memoise on its identity.
    secretList = Object.freeze([...flow.heldSecrets, ...extraSecrets, ...issued]);
  };

  const fetchToken = async (): Promise<string> => {
    const started = options.now();
    const form = flow.form(refreshToken);
    const assertion = form.get('client_assertion') ?? form.get('assertion');
    if (assertion !== null) remember('secret', assertion);
    const reply = await requestToken(flow, form, options, secretList);
    remember('token', reply.accessToken);
    const lifetime = reply.expiresInMs ?? ASSUMED_LIFETIME_MS;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 4);
    current = { token: reply.accessToken, refreshAt: started + lifetime - margin };
    if (
      reply.refreshToken !== undefined &&
      refreshToken !== undefined &&
      reply.refreshToken !== refreshToken
    ) {
      refreshToken = reply.refreshToken;
      remember('secret', refreshToken);
      try {
        options.onRefreshToken?.(refreshToken);
      } catch {
        // The caller's storage failed; the new token is still used from memory.
      }
    }
    return reply.accessToken;
  };

  return {
    user: flow.user,
    provider: flow.provider,
    hint: flow.hint,
    getToken(renew: boolean, refused?: string): Promise<string> {
      const cached = current;
      if (cached !== undefined && options.now() < cached.refreshAt) {
        if (!renew) return Promise.resolve(cached.token);
        // Another login already replaced the refused token: use the replacement.
        if (refused !== undefined && cached.token !== refused) return Promise.resolve(cached.token);
      }
      // One request at a time: every caller meanwhile gets its result (single flight).
      if (inFlight !== undefined) return inFlight;
      if (renew) current = undefined;
      const request = fetchToken();
      inFlight = request;
      const clear = (): void => {
        if (inFlight === request) inFlight = undefined;
      };
      request.then(clear, clear);
      return request;
    },
    secrets: () => secretList,
  };
}

// ---------------------------------------------------------------------------------------------
// Microsoft Entra ID

const MICROSOFT_HOST = 'login.microsoftonline.com';

function microsoftFlow(
  config: Extract<OAuthConfig, { provider: 'microsoft' }>,
  now: () => number,
): Flow {
  const label = 'OAuth2 (microsoft)';
  const user = checkUser(config.user, label);
  const tenant = required(
    config.tenant,
    'tenant',
    label,
    'the directory (tenant) ID or a verified domain of the tenant',
  );
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/.test(tenant)) {
    throw configError(
      `${label}: the tenant must be the directory (tenant) ID (a GUID) or a verified domain like contoso.onmicrosoft.com (${FIELD_SOURCES.tenant})`,
    );
  }
  const clientId = checkId(
    required(
      config.clientId,
      'clientId',
      label,
      'the application (client) ID of the app registration',
    ),
    'clientId',
    label,
  );
  const clientSecret = optionalSecret(config.clientSecret, 'clientSecret', label);
  const refreshToken = optionalSecret(config.refreshToken, 'refreshToken', label);
  const certificate = config.certificate;
  if (clientSecret !== undefined && certificate !== undefined) {
    throw configError(
      `${label}: both a client secret and a certificate were given: give one of them (${FIELD_SOURCES.clientSecret}; ${FIELD_SOURCES.certificate})`,
    );
  }
  if (clientSecret === undefined && certificate === undefined && refreshToken === undefined) {
    throw configError(
      `${label}: no credential was given: give a client secret (${FIELD_SOURCES.clientSecret}) or a certificate (${FIELD_SOURCES.certificate}) for the app-only flow (SMTP.SendAsApp), or a refresh token (${FIELD_SOURCES.refreshToken}) for the delegated flow (SMTP.Send)`,
    );
  }
  const appOnly = refreshToken === undefined;
  if (appOnly && /^(common|organizations|consumers)$/i.test(tenant)) {
    throw configError(
      `${label}: the app-only flow needs your own tenant, not "${tenant}": give the directory (tenant) ID or a verified domain (${FIELD_SOURCES.tenant})`,
    );
  }
  const tokenUrl = checkTokenUrl(
    config.tokenUrl ?? `https://${MICROSOFT_HOST}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
    label,
  );
  const scope = checkScope(
    config.scope ?? (appOnly ? MICROSOFT_APP_SCOPE : MICROSOFT_DELEGATED_SCOPE),
    label,
  );

  let signer: { key: KeyObject; x5tS256: string } | undefined;
  const held: string[] = [];
  if (clientSecret !== undefined) held.push(clientSecret, encodeURIComponent(clientSecret));
  if (refreshToken !== undefined) held.push(refreshToken);
  if (certificate !== undefined) {
    if (typeof certificate !== 'object' || certificate === null) {
      throw configError(`${label}: the certificate must be { privateKeyPem, certificatePem }`);
    }
    const keyPem = checkPem(certificate.privateKeyPem, 'the private key of the certificate', label);
    const certPem = checkPem(certificate.certificatePem, 'the certificate', label);
    held.push(keyPem);
    const key = readRsaPrivateKey(keyPem, `${label}: the private key (--oauth-private-key-file)`);
    const cert = readCertificate(certPem, `${label}: the certificate (--oauth-certificate-file)`);
    if (!cert.checkPrivateKey(key)) {
      throw configError(
        `${label}: the certificate (--oauth-certificate-file) does not belong to the private key (--oauth-private-key-file): give the key the certificate was made from`,
      );
    }
    signer = { key, x5tS256: certificateThumbprints(cert).x5tS256 };
  }

  const flowName = appOnly ? 'app-only' : 'delegated';
  const mailboxChecks = `SMTP AUTH is enabled for the mailbox ${user} (Exchange Online PowerShell: Set-CASMailbox -Identity ${user} -SmtpClientAuthenticationDisabled $false)`;
  const hint = appOnly
    ? `check that ${mailboxChecks}; that the app has the Office 365 Exchange Online application permission SMTP.SendAsApp with admin consent; that its service principal is registered in Exchange Online (New-ServicePrincipal -AppId ${clientId} -ObjectId <the enterprise application's object ID>) and has rights on the mailbox (Add-MailboxPermission -Identity ${user} -User <that service principal> -AccessRights FullAccess); and that the user is that mailbox's address`
    : `check that ${mailboxChecks}; that the app has the delegated permission SMTP.Send (consented); and that the refresh token was issued to ${user} (sign in as that mailbox) with the scope ${MICROSOFT_DELEGATED_SCOPE}`;

  return {
    provider: 'microsoft',
    user,
    providerName: 'Microsoft Entra ID',
    tokenUrl,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    heldSecrets: held,
    hint,
    form(currentRefresh) {
      const form = new URLSearchParams({ client_id: clientId, scope });
      if (currentRefresh !== undefined) {
        form.set('grant_type', 'refresh_token');
        form.set('refresh_token', currentRefresh);
      } else {
        form.set('grant_type', 'client_credentials');
      }
      if (clientSecret !== undefined) form.set('client_secret', clientSecret);
      if (signer !== undefined) {
        const iat = Math.floor(now() / 1000);
        form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        form.set(
          'client_assertion',
          signJwt(
            { alg: 'PS256', typ: 'JWT', 'x5t#S256': signer.x5tS256 },
            {
              aud: tokenUrl.href,
              iss: clientId,
              sub: clientId,
              jti: randomUUID(),
              nbf: iat,
              iat,
              exp: iat + ASSERTION_LIFETIME_S,
            },
            signer.key,
          ),
        );
      }
      return form;
    },
    explain: (error, description) => explainMicrosoft(error, description, flowName),
  };
}

/**
 * What to check for the Entra ID errors people meet with SMTP apps (the AADSTS code is in the
 * description; https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
const AADSTS_HINTS: Readonly<Record<string, string>> = {
  '7000215':
    "the client secret is wrong: give the secret's Value (shown once, when it was created), not its Secret ID",
  '7000222': 'the client secret has expired: create a new one under Certificates & secrets',
  '700016':
    'no application with this client ID exists in the tenant: check the client ID and the tenant, and that the app was consented to in this tenant',
  '90002': 'the tenant was not found: check the directory (tenant) ID or domain',
  '900023': 'the tenant is not a valid tenant ID or domain: check it',
  '700027':
    'the certificate is not registered for the app, or the assertion signature did not verify: upload this certificate under Certificates & secrets',
  '700024': "the client assertion is outside its validity time: check this machine's clock",
  '70011':
    'the scope is invalid: app-only needs https://outlook.office365.com/.default, delegated https://outlook.office.com/SMTP.Send offline_access',
  '65001':
    'consent is missing: grant admin consent for the SMTP permission in the app registration',
  '70008': 'the refresh token has expired: sign in again to get a new one',
  '700082': 'the refresh token expired after inactivity: sign in again to get a new one',
  '50173': 'the refresh token was revoked (a password change or a sign-out): sign in again',
  '50076': 'the user must use multi-factor authentication: sign in again interactively',
  '50079': 'the user must register for multi-factor authentication: sign in again interactively',
  '53003': 'Conditional Access blocked the request: ask the tenant admin to allow this app',
  '7000218':
    'the app is a confidential client: give its client secret or certificate with the refresh token',
  '700025':
    'the app is a public client: remove the client secret (or certificate) and use the refresh token alone',
  '50034': 'the user does not exist in this tenant: check the user and the tenant',
  '7000112': 'the application is disabled in the tenant: enable its enterprise application',
};

function explainMicrosoft(error: string, description: string, flow: string): string {
  const code = /AADSTS(\d+)/.exec(description)?.[1];
  const known = code === undefined ? undefined : AADSTS_HINTS[code];
  if (known !== undefined) return known;
  switch (error) {
    case 'invalid_client':
      return 'check the client ID, the client secret or certificate, and the tenant';
    case 'invalid_grant':
      return flow === 'delegated'
        ? 'the refresh token is expired, revoked or was issued to another app: sign in again to get a new one'
        : 'the credential was refused: check the client secret or certificate';
    case 'unauthorized_client':
      return 'the app is not allowed this grant: check the app registration (and that it exists in this tenant)';
    case 'invalid_scope':
      return AADSTS_HINTS['70011']!;
    case 'invalid_request':
      return 'check the tenant, the client ID and the token URL';
    case 'temporarily_unavailable':
      return 'Entra ID is busy: retry later';
    default:
      return 'check the app registration (client ID, credential, permissions and consent) and the tenant';
  }
}

// ---------------------------------------------------------------------------------------------
// Google

function googleFlow(config: Extract<OAuthConfig, { provider: 'google' }>, now: () => number): Flow {
  const label = 'OAuth2 (google)';
  const user = checkUser(config.user, label);
  const tokenUrl = checkTokenUrl(config.tokenUrl ?? GOOGLE_TOKEN_URL, label);
  const scope = checkScope(config.scope ?? GOOGLE_SCOPE, label);
  const account = config.serviceAccount;
  const clientId =
    config.clientId === undefined ? undefined : checkId(config.clientId, 'clientId', label);
  const clientSecret = optionalSecret(config.clientSecret, 'clientSecret', label);
  const refreshToken = optionalSecret(config.refreshToken, 'refreshToken', label);
  const delegation = `the service account's client ID has domain-wide delegation with the scope ${scope} (Admin console → Security → Access and data control → API controls → Manage Domain Wide Delegation)`;

  if (account !== undefined) {
    if (clientId !== undefined || clientSecret !== undefined || refreshToken !== undefined) {
      throw configError(
        `${label}: both a service account (${FIELD_SOURCES.serviceAccount}) and a client id/secret/refresh token were given: give one of them`,
      );
    }
    if (typeof account !== 'object' || account === null) {
      throw configError(`${label}: the service account must be { clientEmail, privateKeyPem }`);
    }
    const clientEmail = checkUser(account.clientEmail, label, 'the service account client_email');
    const keyPem = checkPem(account.privateKeyPem, 'the service account private_key', label);
    const key = readRsaPrivateKey(keyPem, `${label}: the service account private_key`);
    return {
      provider: 'google',
      user,
      providerName: 'Google',
      tokenUrl,
      heldSecrets: [keyPem],
      hint: `check that ${delegation}, and that ${user} is an existing Google Workspace user with Gmail enabled`,
      form() {
        const iat = Math.floor(now() / 1000);
        const assertion = signJwt(
          { alg: 'RS256', typ: 'JWT' },
          {
            iss: clientEmail,
            sub: user,
            scope,
            aud: tokenUrl.href,
            iat,
            exp: iat + GOOGLE_ASSERTION_LIFETIME_S,
          },
          key,
        );
        return new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        });
      },
      explain: (error, description) => explainGoogle(error, description, true, delegation),
    };
  }

  const missing = (
    [
      ['clientId', clientId],
      ['clientSecret', clientSecret],
      ['refreshToken', refreshToken],
    ] as const
  ).filter(([, value]) => value === undefined);
  if (missing.length === 3) {
    throw configError(
      `${label}: no credential was given: give a service account key (${FIELD_SOURCES.serviceAccount}), or an OAuth client's clientId (${FIELD_SOURCES.clientId}), clientSecret (${FIELD_SOURCES.clientSecret}) and refreshToken (${FIELD_SOURCES.refreshToken})`,
    );
  }
  if (missing.length > 0) {
    const [name] = missing[0]!;
    throw configError(
      `${label}: ${name} is missing: the refresh-token flow needs clientId, clientSecret and refreshToken (${name}: ${FIELD_SOURCES[name]})`,
    );
  }
  return {
    provider: 'google',
    user,
    providerName: 'Google',
    tokenUrl,
    refreshToken: refreshToken!,
    heldSecrets: [clientSecret!, encodeURIComponent(clientSecret!), refreshToken!],
    hint: `check that the refresh token was granted the scope ${GOOGLE_SCOPE} by ${user} (sign in as that mailbox) and has not been revoked`,
    // The scope is fixed at consent; a refresh can only narrow it (RFC 6749 §6), so none is sent.
    form: (currentRefresh) =>
      new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: clientId!,
        client_secret: clientSecret!,
        refresh_token: currentRefresh ?? refreshToken!,
      }),
    explain: (error, description) => explainGoogle(error, description, false, delegation),
  };
}

function explainGoogle(
  error: string,
  description: string,
  serviceAccount: boolean,
  delegation: string,
): string {
  if (serviceAccount) {
    if (/invalid email or user id/i.test(description)) {
      return 'the user does not exist in the Workspace: check the mailbox address';
    }
    if (/invalid jwt signature/i.test(description)) {
      return "the service account key was deleted or is not this account's: create a new JSON key";
    }
    if (/iat|exp|timeframe/i.test(description)) {
      return "the assertion's time is off: check this machine's clock";
    }
  }
  switch (error) {
    case 'unauthorized_client':
      return serviceAccount
        ? `check that ${delegation}`
        : 'the client ID does not match the refresh token, or the OAuth client is not allowed this flow';
    case 'invalid_grant':
      return serviceAccount
        ? `check that ${delegation}, that the user exists, and this machine's clock`
        : 'the refresh token was revoked or has expired (tokens of apps whose consent screen is in Testing expire after 7 days): get a new one';
    case 'invalid_client':
      return serviceAccount
        ? 'the service account or its key no longer exists: create a new JSON key'
        : 'the client ID or client secret is wrong';
    case 'admin_policy_enforced':
    case 'access_denied':
      return 'a Workspace admin policy blocks this app: ask the admin to trust it';
    case 'invalid_scope':
      return `the scope must be ${GOOGLE_SCOPE}`;
    default:
      return serviceAccount
        ? `check the service account key and that ${delegation}`
        : 'check the client ID, client secret and refresh token';
  }
}

// ---------------------------------------------------------------------------------------------
// The token request

interface TokenReply {
  readonly accessToken: string;
  readonly expiresInMs: number | undefined;
  readonly refreshToken: string | undefined;
}

async function requestToken(
  flow: Flow,
  form: URLSearchParams,
  options: RefreshingOptions,
  secrets: readonly string[],
): Promise<TokenReply> {
  const host = flow.tokenUrl.host;
  const where = `${flow.providerName}'s token endpoint ${host}`;
  const fail = (message: string, transient: boolean): SmtpInviteError =>
    authError(`could not get an OAuth2 token from ${where}: ${message}`, transient);

  let response: Response;
  let body: string;
  try {
    response = await options.fetch(flow.tokenUrl.href, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      // A redirect would re-post the credentials elsewhere: never follow one.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    body = await readCapped(response, MAX_RESPONSE_BYTES);
  } catch (err) {
    throw fail(networkReason(err, options.timeoutMs), true);
  }

  const status = response.status;
  if (status >= 300 && status < 400) {
    throw fail(
      `it answered with a redirect (HTTP ${status}): check the token URL (${FIELD_SOURCES.tokenUrl})`,
      false,
    );
  }
  let data: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      data = parsed as Record<string, unknown>;
    }
  } catch {
    data = undefined;
  }
  const transientStatus = status >= 500 || status === 429;
  if (data === undefined) {
    throw fail(
      `the reply (HTTP ${status}) is not a JSON object: ${transientStatus ? 'retry later' : `check the token URL (${FIELD_SOURCES.tokenUrl})`}`,
      transientStatus,
    );
  }

  const error = typeof data.error === 'string' ? data.error : undefined;
  if (!response.ok || error !== undefined) {
    const code = error === undefined ? `HTTP ${status}` : cleanCode(error);
    const description =
      typeof data.error_description === 'string'
        ? cleanDescription(data.error_description, secrets)
        : '';
    const shown = description === '' ? code : `${code} (${description})`;
    const transient = transientStatus || error === 'temporarily_unavailable';
    throw fail(
      `${shown}: ${flow.explain(error ?? '', typeof data.error_description === 'string' ? data.error_description : '')}`,
      transient,
    );
  }

  const accessToken = data.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw fail('the reply has no access_token: check the token URL and the scope', false);
  }
  // It goes into the XOAUTH2 string between \x01 separators after "Bearer ".
  if (!/^[\x21-\x7e]+$/.test(accessToken)) {
    throw fail('the access_token in the reply has characters no token has', false);
  }
  const expiresIn = Number(data.expires_in);
  const refreshToken =
    typeof data.refresh_token === 'string' && /^[\x21-\x7e]+$/.test(data.refresh_token)
      ? data.refresh_token
      : undefined;
  return {
    accessToken,
    expiresInMs:
      data.expires_in !== undefined && Number.isFinite(expiresIn)
        ? Math.max(0, expiresIn) * 1000
        : undefined,
    refreshToken,
  };
}

/** The body as text, at most `limit` bytes (a misconfigured URL could stream anything). */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const bytes = Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > limit) {
      await response.body.cancel().catch(() => undefined);
      break;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkReason(err: unknown, timeoutMs: number): string {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `no answer within ${timeoutMs / 1000} s: check the network and any proxy, and retry`;
  }
  let cause: unknown = err;
  let code: string | undefined;
  for (let depth = 0; depth < 4 && cause !== undefined && cause !== null; depth++) {
    const c = (cause as { code?: unknown }).code;
    if (typeof c === 'string') {
      code = c;
      break;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  const shown = code === undefined ? '' : ` (${cleanCode(code)})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `the host could not be resolved${shown}: check the network connection and the token URL (${FIELD_SOURCES.tokenUrl})`;
  }
  if (code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|TLS|SSL/.test(code)) {
    return `TLS failed${shown}: the endpoint's certificate is not trusted (a proxy intercepting HTTPS needs NODE_EXTRA_CA_CERTS)`;
  }
  return `it could not be reached${shown}: check the network connection, any proxy, and the token URL (${FIELD_SOURCES.tokenUrl})`;
}

/** An OAuth error code as shown: RFC 6749 §5.2 limits it to visible ASCII; we also cap it. */
function cleanCode(text: string): string {
  const cleaned = text.replace(/[^\x21-\x7e]/g, '').slice(0, 64);
  return cleaned === '' ? 'unknown_error' : cleaned;
}

/**
 * error_description as one short line: Entra ID appends Trace ID / Correlation ID / Timestamp on
 * new lines (dropped), control characters (a terminal escape) removed, secrets masked, capped.
 */
function cleanDescription(text: string, secrets: readonly string[]): string {
  let result = text.replace(/\s*(Trace ID|Correlation ID|Timestamp):[\s\S]*$/, '');
  for (const secret of secrets) if (secret !== '') result = result.replaceAll(secret, '***');
  result = result
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return result.length > MAX_DESCRIPTION ? `${result.slice(0, MAX_DESCRIPTION)}…` : result;
}

// ---------------------------------------------------------------------------------------------
// Checks of the settings (ERR_CONFIG naming the field; values that are secrets are never shown)

function checkUser(
  value: unknown,
  label: string,
  what = 'the user (the mailbox to send as)',
): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(
      `${label}: ${what} is missing: give the mailbox address (${FIELD_SOURCES.user}, or the user in the SMTP URL)`,
    );
  }
  const user = value.trim();
  // It is written into the XOAUTH2 string, where \x01 separates fields.
  if (user.length > 320 || !/^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$/.test(user)) {
    throw configError(
      `${label}: ${what} ${JSON.stringify(user.slice(0, 80))} is not an email address: give one like alice@example.com`,
    );
  }
  return user;
}

function required(value: unknown, field: string, label: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(
      `${label}: ${field} is missing: give ${what} (${FIELD_SOURCES[field] ?? field})`,
    );
  }
  return value.trim();
}

function checkId(value: unknown, field: string, label: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[\x21-\x7e]{1,512}$/.test(text)) {
    throw configError(
      `${label}: ${field} must be a client ID without spaces or control characters (${FIELD_SOURCES[field] ?? field})`,
    );
  }
  return text;
}

function checkSecret(value: unknown, field: string, label: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(`${label}: ${field} is missing or empty (${FIELD_SOURCES[field] ?? field})`);
  }
  // Files and environment variables often end with a newline; the value itself never does.
  const text = value.trim();
  if (/[\x00-\x1f\x7f]/.test(text)) {
    throw configError(
      `${label}: ${field} has control characters (a line break inside?): give the value alone (${FIELD_SOURCES[field] ?? field})`,
    );
  }
  return text;
}

function optionalSecret(value: unknown, field: string, label: string): string | undefined {
  return value === undefined ? undefined : checkSecret(value, field, label);
}

function checkPem(value: unknown, what: string, label: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(`${label}: ${what} is missing or empty`);
  }
  return value;
}

function checkScope(value: unknown, label: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(text) || text.length > 1024) {
    throw configError(
      `${label}: the scope must be space-separated scope names (${FIELD_SOURCES.scope}), e.g. ${GOOGLE_SCOPE}`,
    );
  }
  return text;
}

/** The token URL: https://, or http:// to a loopback host (a local test endpoint) only. */
function checkTokenUrl(value: unknown, label: string): URL {
  let url: URL;
  try {
    url = new URL(typeof value === 'string' ? value.trim() : '');
  } catch {
    throw configError(
      `${label}: the token URL is not a URL: give one like https://login.example.com/token (${FIELD_SOURCES.tokenUrl})`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw configError(
      `${label}: the token URL must not hold a user or password (${FIELD_SOURCES.tokenUrl})`,
    );
  }
  if (url.hash !== '') {
    throw configError(
      `${label}: the token URL must not have a #fragment (${FIELD_SOURCES.tokenUrl})`,
    );
  }
  const host = normalizeUrlHost(url.hostname);
  const loopback = host !== undefined && isLoopback(host);
  if (url.protocol === 'http:' && !loopback) {
    throw configError(
      `${label}: the token URL ${url.protocol}//${url.host} is not https://: client credentials and tokens would cross the network readable by anyone on the way; use https:// (plain http:// is accepted for a loopback host only)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configError(
      `${label}: the token URL must start with https:// (${FIELD_SOURCES.tokenUrl})`,
    );
  }
  return url;
}

function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_CONFIG', message);
}

function authError(message: string, transient: boolean): SmtpInviteError {
  const code: ErrorCode = 'ERR_SMTP_AUTH';
  return new SmtpInviteError(code, message, { isTransient: transient });
}
