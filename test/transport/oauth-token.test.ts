// The OAuth2 token sources against a real token endpoint on 127.0.0.1 (test/support/token-server):
// each flow's request as the endpoint checks it (secrets, signed assertions, refresh-token
// rotation), caching and single flight, refresh before expiry on an injected clock, every
// failure as ERR_SMTP_AUTH with what to check and no secret, and the settings checks.
import { afterEach, describe, expect, it } from 'vitest';

import type { SmtpInviteError } from '../../src/errors.ts';
import {
  createOAuthTokenSource,
  parseGoogleServiceAccountKey,
} from '../../src/transport/oauth-token.ts';
import type { OAuthConfig, OAuthTokenSourceOptions } from '../../src/transport/oauth-token.ts';
import {
  APP_CERTIFICATE,
  CLIENT_ID,
  CLIENT_SECRET,
  GOOGLE_CLIENT_ID,
  GOOGLE_PRIVATE_PEM,
  GOOGLE_REFRESH,
  GOOGLE_SERVICE_ACCOUNT,
  REFRESH_TOKEN,
  SA_EMAIL,
  TENANT,
  USER,
  closedPort,
  googleClient,
  googleConfig,
  microsoftApp,
  microsoftConfig,
  visible,
} from '../support/oauth-fixture.ts';
import type { MicrosoftConfig } from '../support/oauth-fixture.ts';
import { rejection } from '../support/rejection.ts';
import { tlsFixture } from '../support/smtp-test-server.ts';
import { startTokenServer } from '../support/token-server.ts';
import type { TokenServer, TokenServerOptions } from '../support/token-server.ts';

const tls = tlsFixture();
/** A line from inside the PEM keys: what an echo of a key would show. */
const KEY_BODY = tls.server.key.split('\n')[1]!;
const GOOGLE_KEY_BODY = GOOGLE_PRIVATE_PEM.split('\n')[1]!;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const s = await startTokenServer(options);
  cleanups.push(() => s.close());
  return s;
}

/** A Microsoft source for USER against the endpoint `s`, with `credential`. */
const microsoftSource = (
  s: TokenServer,
  credential: Partial<MicrosoftConfig>,
  options?: OAuthTokenSourceOptions,
) => createOAuthTokenSource(microsoftConfig(s.microsoftTokenUrl, credential), options);

/** The error of the Google refresh-token flow when the endpoint `s` gives `reply` instead of a token. */
async function cannedReplyError(reply: TokenServer['cannedReply']): Promise<SmtpInviteError> {
  const s = await tokenServer(googleClient());
  s.cannedReply = reply;
  const source = createOAuthTokenSource(googleConfig(s.googleTokenUrl, GOOGLE_REFRESH));
  return rejection(source.getToken(false));
}

describe('each flow gets a token the endpoint issued', () => {
  it('microsoft, app-only with a client secret: client_credentials with the .default scope', async () => {
    const s = await tokenServer(microsoftApp());
    const source = microsoftSource(s, { clientSecret: CLIENT_SECRET });

    const token = await source.getToken(false);

    expect(s.isValid(token)).toBe(true);
    expect(s.log).toEqual([
      expect.objectContaining({
        grantType: 'client_credentials',
        clientId: CLIENT_ID,
        scope: 'https://outlook.office365.com/.default',
        error: undefined,
      }),
    ]);
    expect(source.user).toBe(USER);
    expect(source.provider).toBe('microsoft');
    expect(source.secrets()).toEqual(expect.arrayContaining([CLIENT_SECRET, token]));
  });

  it('microsoft, app-only with a certificate: a PS256 assertion the endpoint verifies, a fresh jti each time', async () => {
    const s = await tokenServer(microsoftApp());
    const source = microsoftSource(s, { certificate: APP_CERTIFICATE });

    const first = await source.getToken(false);
    // The endpoint refuses a replayed jti: a second token needs a second, new assertion.
    const second = await source.getToken(true);

    expect(s.isValid(first) && s.isValid(second)).toBe(true);
    expect(first).not.toBe(second);
    expect(s.log.map((l) => l.error)).toEqual([undefined, undefined]);
  });

  it('microsoft, a certificate of another key: the endpoint refuses the assertion', async () => {
    // The endpoint has the self-signed certificate registered, we sign with the server key.
    const s = await tokenServer(microsoftApp({ certificatePem: tls.selfSigned.cert }));
    const source = microsoftSource(s, { certificate: APP_CERTIFICATE });

    const err = await rejection(source.getToken(false));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.message).toContain('invalid_client');
    expect(err.message).toContain('upload this certificate');
    expect(visible(err)).not.toContain(KEY_BODY);
  });

  it('microsoft, delegated: refresh_token grant with SMTP.Send; a rotated refresh token is kept and handed over', async () => {
    const s = await tokenServer(microsoftApp({ rotateRefreshTokens: true }));
    const handedOver: string[] = [];
    const source = microsoftSource(
      s,
      { refreshToken: REFRESH_TOKEN },
      { onRefreshToken: (t) => handedOver.push(t) },
    );

    const first = await source.getToken(false);
    // The endpoint invalidated the refresh token it rotated: this works only with the new one.
    const second = await source.getToken(true);

    expect(s.isValid(first) && s.isValid(second)).toBe(true);
    expect(s.log.map((l) => [l.grantType, l.scope, l.error])).toEqual([
      ['refresh_token', 'https://outlook.office.com/SMTP.Send offline_access', undefined],
      ['refresh_token', 'https://outlook.office.com/SMTP.Send offline_access', undefined],
    ]);
    expect(handedOver).toEqual(s.rotatedRefreshTokens);
    expect(handedOver).toHaveLength(2);
    expect(source.secrets()).toEqual(expect.arrayContaining([REFRESH_TOKEN, ...handedOver]));
  });

  it('microsoft, delegated: a failing onRefreshToken does not stop the token', async () => {
    const s = await tokenServer(microsoftApp({ rotateRefreshTokens: true }));
    const source = microsoftSource(
      s,
      { refreshToken: REFRESH_TOKEN },
      {
        onRefreshToken: () => {
          throw new Error('disk full');
        },
      },
    );

    expect(s.isValid(await source.getToken(false))).toBe(true);
    expect(s.isValid(await source.getToken(true))).toBe(true);
  });

  it('google, service account: a JWT bearer grant for the delegated mailbox', async () => {
    const s = await tokenServer(googleClient());
    const source = createOAuthTokenSource(googleConfig(s.googleTokenUrl, GOOGLE_SERVICE_ACCOUNT));

    const token = await source.getToken(false);

    expect(s.isValid(token)).toBe(true);
    expect(s.log[0]?.grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(source.secrets()).toContain(GOOGLE_PRIVATE_PEM);
  });

  it('google, service account for a mailbox it was not delegated: says the user does not exist', async () => {
    const s = await tokenServer(googleClient());
    const source = createOAuthTokenSource(
      googleConfig(s.googleTokenUrl, {
        ...GOOGLE_SERVICE_ACCOUNT,
        user: 'someone.else@contoso.example',
      }),
    );

    const err = await rejection(source.getToken(false));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.message).toMatch(
      /^could not get an OAuth2 token from Google's token endpoint 127\.0\.0\.1:\d+: invalid_grant \(Invalid email or User ID\): the user does not exist/,
    );
  });

  it('google, service account without delegation for the scope: names domain-wide delegation', async () => {
    const s = await tokenServer(googleClient());
    const source = createOAuthTokenSource(
      googleConfig(s.googleTokenUrl, {
        ...GOOGLE_SERVICE_ACCOUNT,
        scope: 'https://www.googleapis.com/auth/gmail.send',
      }),
    );

    const err = await rejection(source.getToken(false));

    expect(err.message).toContain('unauthorized_client');
    expect(err.message).toContain('domain-wide delegation with the scope');
    expect(err.message).toContain('Manage Domain Wide Delegation');
  });

  it('google, refresh token: client id + secret + refresh token', async () => {
    const s = await tokenServer(googleClient());
    const source = createOAuthTokenSource(googleConfig(s.googleTokenUrl, GOOGLE_REFRESH));

    const token = await source.getToken(false);

    expect(s.isValid(token)).toBe(true);
    expect(s.log).toEqual([
      expect.objectContaining({
        grantType: 'refresh_token',
        clientId: GOOGLE_CLIENT_ID,
        scope: undefined,
      }),
    ]);
  });

  it('token: the given token, never a request, the same one when asked to renew', async () => {
    const source = createOAuthTokenSource({
      provider: 'token',
      user: USER,
      accessToken: ' ya29.a0-given_token\n',
    });

    expect(await source.getToken(false)).toBe('ya29.a0-given_token');
    expect(await source.getToken(true, 'ya29.a0-given_token')).toBe('ya29.a0-given_token');
    expect(source.secrets()).toEqual(['ya29.a0-given_token']);
    expect(source.hint).toContain('never renewed');
  });
});

describe('caching', () => {
  /** A client-secret source against an endpoint started with `options` (the Microsoft app added). */
  async function secretSource(
    options: Omit<TokenServerOptions, 'microsoft'> = {},
    sourceOptions?: OAuthTokenSourceOptions,
  ) {
    const s = await tokenServer({ ...microsoftApp(), ...options });
    return { s, source: microsoftSource(s, { clientSecret: CLIENT_SECRET }, sourceOptions) };
  }

  it('reuses a token for many requests', async () => {
    const { s, source } = await secretSource();

    const tokens = [];
    for (let i = 0; i < 10; i++) tokens.push(await source.getToken(false));

    expect(new Set(tokens).size).toBe(1);
    expect(s.requests).toBe(1);
  });

  it('concurrent requests share one HTTP request (single flight)', async () => {
    const { s, source } = await secretSource({ delayMs: 100 });

    const tokens = await Promise.all(Array.from({ length: 6 }, () => source.getToken(false)));

    expect(new Set(tokens).size).toBe(1);
    expect(s.requests).toBe(1);
  });

  it('renew asks for a new token, unless another caller already replaced the refused one', async () => {
    const { s, source } = await secretSource();
    const first = await source.getToken(false);

    const renewed = await source.getToken(true, first);
    // A second login that was refused the same old token: the replacement, no new request.
    const again = await source.getToken(true, first);

    expect(renewed).not.toBe(first);
    expect(again).toBe(renewed);
    expect(s.requests).toBe(2);
  });

  it('renews shortly before expiry, on the injected clock', async () => {
    let now = Date.parse('2026-11-21T10:00:00Z');
    const { s, source } = await secretSource({}, { now: () => now });

    const first = await source.getToken(false);
    now += 54 * 60_000 + 59_000; // 54:59 of a 60-minute token
    const stillFirst = await source.getToken(false);
    now += 1_000; // 55:00: five minutes before expiry
    const second = await source.getToken(false);

    expect(stillFirst).toBe(first);
    expect(second).not.toBe(first);
    expect(s.requests).toBe(2);
  });

  it('renews a short-lived token a quarter of its lifetime before expiry', async () => {
    let now = 1_800_000_000_000;
    const { s, source } = await secretSource({ expiresIn: 60 }, { now: () => now });

    const first = await source.getToken(false);
    now += 44_000;
    expect(await source.getToken(false)).toBe(first);
    now += 1_000;
    expect(await source.getToken(false)).not.toBe(first);
    expect(s.requests).toBe(2);
  });

  it('does not cache a failure: the next call asks again', async () => {
    const { s, source } = await secretSource();
    s.refuseWith = { status: 503, error: 'temporarily_unavailable', description: 'busy' };

    const err = await rejection(source.getToken(false));
    s.refuseWith = undefined;
    const token = await source.getToken(false);

    expect(err.isTransient).toBe(true);
    expect(s.isValid(token)).toBe(true);
    expect(s.requests).toBe(2);
  });
});

describe('token endpoint failures are ERR_SMTP_AUTH with what to check, and no secret', () => {
  it('a wrong client secret: invalid_client, AADSTS7000215, one line, no trace ids, no secret', async () => {
    const s = await tokenServer(microsoftApp());
    const wrong = 'Wr0ng~secret.value_9876543210';

    const err = await rejection(microsoftSource(s, { clientSecret: wrong }).getToken(false));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.isTransient).toBe(false);
    expect(err.message).toMatch(
      /^could not get an OAuth2 token from Microsoft Entra ID's token endpoint 127\.0\.0\.1:\d+: invalid_client \(AADSTS7000215: Invalid client secret provided\. .*\): the client secret is wrong: give the secret's Value/,
    );
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message).not.toContain('Trace ID');
    const text = visible(err);
    for (const secret of [wrong, encodeURIComponent(wrong), CLIENT_SECRET]) {
      expect(text).not.toContain(secret);
    }
  });

  it('an expired client secret: AADSTS7000222', async () => {
    const expired = 'old~expired.secret_value';
    const s = await tokenServer(microsoftApp({ expiredSecret: expired }));

    const err = await rejection(microsoftSource(s, { clientSecret: expired }).getToken(false));

    expect(err.message).toContain('the client secret has expired: create a new one');
    expect(visible(err)).not.toContain(expired);
  });

  it('an unknown application: AADSTS700016 says to check the client ID and tenant', async () => {
    const s = await tokenServer(microsoftApp());
    const source = microsoftSource(s, {
      clientId: '99999999-0000-0000-0000-000000000000',
      clientSecret: CLIENT_SECRET,
    });

    const err = await rejection(source.getToken(false));

    expect(err.message).toContain('unauthorized_client');
    expect(err.message).toContain('no application with this client ID exists in the tenant');
  });

  it('an expired refresh token: invalid_grant, sign in again, the refresh token never shown', async () => {
    const s = await tokenServer(microsoftApp());
    const stale = 'rt.stale-refresh-token-abcdef';

    const err = await rejection(microsoftSource(s, { refreshToken: stale }).getToken(false));

    expect(err.message).toContain('invalid_grant');
    expect(err.message).toContain('sign in again');
    expect(visible(err)).not.toContain(stale);
  });

  it('a description echoing a secret is masked, and control characters are removed', async () => {
    const s = await tokenServer(microsoftApp());
    s.refuseWith = {
      status: 400,
      error: 'invalid_request',
      description: `bad client_secret=${CLIENT_SECRET}\u001b[31m red`,
    };

    const err = await rejection(
      microsoftSource(s, { clientSecret: CLIENT_SECRET }).getToken(false),
    );

    expect(err.message).toContain('bad client_secret=***');
    expect(err.message).not.toContain('\u001b');
    expect(visible(err)).not.toContain(CLIENT_SECRET);
  });

  it('an unreachable endpoint: transient, says it could not be reached', async () => {
    const port = await closedPort();
    const source = createOAuthTokenSource(
      googleConfig(`http://127.0.0.1:${port}/token`, GOOGLE_REFRESH),
    );

    const err = await rejection(source.getToken(false));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.isTransient).toBe(true);
    expect(err.message).toBe(
      `could not get an OAuth2 token from Google's token endpoint 127.0.0.1:${port}: it could not be reached (ECONNREFUSED): check the network connection, any proxy, and the token URL (--oauth-token-url, config oauth2.tokenUrl)`,
    );
  });

  it('an endpoint that does not answer in time', async () => {
    const s = await tokenServer({ ...googleClient(), delayMs: 2_000 });
    const source = createOAuthTokenSource(googleConfig(s.googleTokenUrl, GOOGLE_REFRESH), {
      timeoutMs: 100,
    });

    const err = await rejection(source.getToken(false));

    expect(err.message).toContain('no answer within 0.1 s');
    expect(err.isTransient).toBe(true);
  });

  it('a reply that is not JSON (a proxy error page)', async () => {
    const err = await cannedReplyError({
      status: 502,
      body: '<html><body>Bad gateway</body></html>',
    });

    expect(err.message).toContain('the reply (HTTP 502) is not a JSON object: retry later');
    expect(err.isTransient).toBe(true);
  });

  it('a success without access_token', async () => {
    const err = await cannedReplyError({
      status: 200,
      body: JSON.stringify({ token_type: 'Bearer', expires_in: 3600 }),
      contentType: 'application/json',
    });

    expect(err.message).toContain('the reply has no access_token');
  });

  it('a redirect is not followed (it would re-post the credentials elsewhere)', async () => {
    const err = await cannedReplyError({ status: 307, body: '' });

    expect(err.message).toContain('it answered with a redirect (HTTP 307)');
  });
});

describe('settings are checked when the source is made (ERR_CONFIG naming the field)', () => {
  const base = { provider: 'microsoft', user: USER, tenant: TENANT, clientId: CLIENT_ID } as const;

  it.each<[string, unknown, RegExp]>([
    [
      'http:// to a non-loopback host',
      { ...base, clientSecret: 's', tokenUrl: 'http://login.example.com/token' },
      /the token URL http:\/\/login\.example\.com is not https:\/\//,
    ],
    [
      'a missing tenant',
      { ...base, tenant: undefined, clientSecret: 's' },
      /OAuth2 \(microsoft\): tenant is missing: give the directory \(tenant\) ID .*--oauth-tenant/,
    ],
    [
      'a tenant with a path in it',
      { ...base, tenant: '../evil', clientSecret: 's' },
      /the tenant must be the directory \(tenant\) ID/,
    ],
    [
      'a missing client id',
      { ...base, clientId: '', clientSecret: 's' },
      /clientId is missing.*--oauth-client-id/,
    ],
    ['no credential', base, /no credential was given: give a client secret .* or a refresh token/],
    [
      'a secret and a certificate',
      { ...base, clientSecret: 's', certificate: APP_CERTIFICATE },
      /both a client secret and a certificate/,
    ],
    [
      'app-only against "common"',
      { ...base, tenant: 'common', clientSecret: 's' },
      /the app-only flow needs your own tenant, not "common"/,
    ],
    [
      'a certificate of another key',
      {
        ...base,
        certificate: { privateKeyPem: tls.server.key, certificatePem: tls.selfSigned.cert },
      },
      /does not belong to the private key/,
    ],
    [
      'a key that is not PEM',
      { ...base, certificate: { privateKeyPem: 'not a key', certificatePem: tls.server.cert } },
      /is not a PEM private key/,
    ],
    [
      'a user that is not an address',
      { ...base, user: 'alice\u0001evil', clientSecret: 's' },
      /is not an email address/,
    ],
    [
      'an unknown provider',
      { provider: 'yahoo', user: USER },
      /unknown OAuth2 provider "yahoo": use token, microsoft or google/,
    ],
    [
      'a token with "Bearer "',
      { provider: 'token', user: USER, accessToken: 'Bearer abc' },
      /without "Bearer " or quotes/,
    ],
    [
      'google with half a refresh setup',
      { provider: 'google', user: USER, clientId: GOOGLE_CLIENT_ID, refreshToken: 'r' },
      /clientSecret is missing: the refresh-token flow needs clientId, clientSecret and refreshToken/,
    ],
    [
      'google with both kinds',
      {
        provider: 'google',
        user: USER,
        clientId: 'x',
        serviceAccount: { clientEmail: SA_EMAIL, privateKeyPem: GOOGLE_PRIVATE_PEM },
      },
      /both a service account .* and a client id\/secret\/refresh token/,
    ],
    [
      'a secret with a line break inside',
      { ...base, clientSecret: 'abc\ndef' },
      /clientSecret has control characters/,
    ],
  ])('%s', (_name, config, message) => {
    let caught: unknown;
    try {
      createOAuthTokenSource(config as OAuthConfig);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'ERR_CONFIG' });
    expect((caught as Error).message).toMatch(message);
    // A secret given is never echoed.
    expect((caught as Error).message).not.toContain(KEY_BODY);
  });

  it('accepts http:// to a loopback token URL, and https:// anywhere', () => {
    for (const tokenUrl of [
      'http://127.0.0.1:9/t',
      'http://localhost/t',
      'http://[::1]:8080/t',
      'https://login.example.com/t',
    ]) {
      expect(() => createOAuthTokenSource({ ...base, clientSecret: 's', tokenUrl })).not.toThrow();
    }
  });

  it('a non-positive timeout', () => {
    const options: OAuthTokenSourceOptions = { timeoutMs: 0 };
    expect(() => createOAuthTokenSource({ ...base, clientSecret: 's' }, options)).toThrow(
      /timeoutMs must be a positive whole number/,
    );
  });
});

describe('parseGoogleServiceAccountKey', () => {
  it('reads client_email and private_key', () => {
    const json = JSON.stringify({
      type: 'service_account',
      client_email: SA_EMAIL,
      private_key: GOOGLE_PRIVATE_PEM,
      private_key_id: 'k1',
    });
    expect(parseGoogleServiceAccountKey(json)).toEqual({
      clientEmail: SA_EMAIL,
      privateKeyPem: GOOGLE_PRIVATE_PEM,
    });
  });

  it.each([
    ['text that is not JSON', '{not json', /is not JSON/],
    [
      'an authorized_user file',
      JSON.stringify({ type: 'authorized_user', client_id: 'x' }),
      /is not a service account key/,
    ],
    [
      'a key without client_email',
      JSON.stringify({ type: 'service_account', private_key: GOOGLE_PRIVATE_PEM }),
      /has no "client_email"/,
    ],
    [
      'a key without private_key',
      JSON.stringify({ type: 'service_account', client_email: SA_EMAIL }),
      /has no "private_key"/,
    ],
  ])('refuses %s without echoing it', (_name, json, message) => {
    let caught: unknown;
    try {
      parseGoogleServiceAccountKey(json, 'key.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'ERR_CONFIG' });
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/^key\.json /);
    expect((caught as Error).message).not.toContain(GOOGLE_KEY_BODY);
  });
});
