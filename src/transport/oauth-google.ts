/**
 * The Google token flows for Gmail SMTP (RFC 6749 §6, RFC 7523): a service account with
 * domain-wide delegation (the JWT bearer grant, sub = the mailbox, scope https://mail.google.com/),
 * or an OAuth client's id + secret + refresh token; what to check for Google's errors; and the
 * reading of a service account's JSON key.
 */
import type { Flow } from './oauth-flow.ts';
import { GOOGLE_SCOPE, GOOGLE_TOKEN_URL } from './oauth-flow.ts';
import { readRsaPrivateKey, signJwt } from './oauth-jwt.ts';
import {
  FIELD_SOURCES,
  checkId,
  checkPem,
  checkScope,
  checkTokenUrl,
  checkUser,
  configError,
  optionalSecret,
} from './oauth-settings.ts';
import type { OAuthConfig } from './oauth-token.ts';

/** Google's JWT may be valid for one hour at most (service-account page). */
const GOOGLE_ASSERTION_LIFETIME_S = 3600;

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

export function googleFlow(
  config: Extract<OAuthConfig, { provider: 'google' }>,
  now: () => number,
): Flow {
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
