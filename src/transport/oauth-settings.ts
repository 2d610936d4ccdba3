/**
 * Checks of the OAuth2 settings (oauth-token.ts and the provider flows): each failure is ERR_CONFIG
 * naming the field and where it comes from on the command line; values that are secrets are never
 * shown.
 */
import { SmtpInviteError } from '../errors.ts';
import { GOOGLE_SCOPE } from './oauth-flow.ts';
import { isLoopback, normalizeUrlHost } from './server-url.ts';

/** Where each setting comes from on the command line, for messages. */
export const FIELD_SOURCES: Readonly<Record<string, string>> = {
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

export function checkUser(
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

export function required(value: unknown, field: string, label: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(
      `${label}: ${field} is missing: give ${what} (${FIELD_SOURCES[field] ?? field})`,
    );
  }
  return value.trim();
}

export function checkId(value: unknown, field: string, label: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[\x21-\x7e]{1,512}$/.test(text)) {
    throw configError(
      `${label}: ${field} must be a client ID without spaces or control characters (${FIELD_SOURCES[field] ?? field})`,
    );
  }
  return text;
}

export function checkSecret(value: unknown, field: string, label: string): string {
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

export function optionalSecret(value: unknown, field: string, label: string): string | undefined {
  return value === undefined ? undefined : checkSecret(value, field, label);
}

export function checkPem(value: unknown, what: string, label: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(`${label}: ${what} is missing or empty`);
  }
  return value;
}

export function checkScope(value: unknown, label: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(text) || text.length > 1024) {
    throw configError(
      `${label}: the scope must be space-separated scope names (${FIELD_SOURCES.scope}), e.g. ${GOOGLE_SCOPE}`,
    );
  }
  return text;
}

/** The token URL: https://, or http:// to a loopback host (a local test endpoint) only. */
export function checkTokenUrl(value: unknown, label: string): URL {
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

export function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_CONFIG', message);
}
