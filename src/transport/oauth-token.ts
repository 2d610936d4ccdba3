/**
 * OAuth2 access tokens for SMTP XOAUTH2 (Microsoft 365, Google Workspace), with node:crypto and the
 * global fetch only: the public contract (OAuthConfig, OAuthTokenSource, createOAuthTokenSource)
 * and the sources that hand out tokens.
 *
 * Flows (each a token endpoint POST, RFC 6749 §4.4 / §6, RFC 7523):
 * - `token`: a ready access token, used as given and never renewed (here).
 * - `microsoft`, app-only (client credentials, SMTP.SendAsApp, a client secret or a certificate) or
 *   delegated (SMTP.Send, a refresh token): oauth-microsoft.ts. Entra ID rotates refresh tokens:
 *   the new one replaces the old in memory and goes to `onRefreshToken` (persisting it is the
 *   caller's).
 * - `google`, a service account with domain-wide delegation or a client id + secret + refresh
 *   token: oauth-google.ts.
 * The request itself is oauth-token-request.ts, the checks of the settings oauth-settings.ts, the
 * shape both flows share and the providers' scopes oauth-flow.ts (re-exported here).
 *
 * A token is reused until shortly before it expires; concurrent requests share one HTTP request
 * (the batch engine logs several connections in at once); `renew` forces a new one after the SMTP
 * server refused the last. Every failure is ERR_SMTP_AUTH naming the provider, the endpoint's host,
 * the OAuth `error` and what to check; bad settings are ERR_CONFIG naming the field. No secret
 * (client secret, refresh token, private key, assertion, issued token) is ever put in a message.
 */
import type { Flow } from './oauth-flow.ts';
import { GOOGLE_SCOPE, MICROSOFT_APP_SCOPE, MICROSOFT_DELEGATED_SCOPE } from './oauth-flow.ts';
import { googleFlow } from './oauth-google.ts';
import { microsoftFlow } from './oauth-microsoft.ts';
import { checkSecret, checkUser, configError } from './oauth-settings.ts';
import { requestToken } from './oauth-token-request.ts';
import type { TokenRequestOptions } from './oauth-token-request.ts';

// The providers' scopes and Google's endpoint, and the service account key reader: part of this
// module's contract (src/index.ts and the CLI import them from here).
export {
  GOOGLE_SCOPE,
  GOOGLE_TOKEN_URL,
  MICROSOFT_APP_SCOPE,
  MICROSOFT_DELEGATED_SCOPE,
} from './oauth-flow.ts';
export { parseGoogleServiceAccountKey } from './oauth-google.ts';

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

const DEFAULT_TIMEOUT_MS = 30_000;
/** Renew this long before expiry (or a quarter of a shorter lifetime): clock skew, slow logins. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** When the endpoint gives no expires_in (RFC 6749 §5.1 makes it optional). */
const ASSUMED_LIFETIME_MS = 5 * 60_000;
/** Issued tokens remembered for masking (a long run renews about hourly). */
const MAX_REMEMBERED_TOKENS = 32;

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

interface RefreshingOptions extends TokenRequestOptions {
  readonly now: () => number;
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
