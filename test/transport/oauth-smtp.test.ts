// XOAUTH2 end to end: a real token endpoint (test/support/token-server) issuing, expiring and
// revoking tokens, and a real SMTP server on 127.0.0.1 that accepts exactly the tokens it issued
// and still holds valid. Every flow through send() (nodemailer's pool) and openSession() (our own
// SMTPConnection), one token request for many messages and for sessions opened at once, renewal
// after a refusal (Google's 334 challenge and Exchange Online's plain 535), refusals as
// ERR_SMTP_AUTH with what to check, and no token, XOAUTH2 string or client secret in any error.
import type net from 'node:net';

import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';

import type { SmtpInviteError } from '../../src/errors.ts';
import { createOAuthTokenSource } from '../../src/transport/oauth-token.ts';
import type {
  OAuthConfig,
  OAuthTokenSource,
  OAuthTokenSourceOptions,
} from '../../src/transport/oauth-token.ts';
import { createSmtpTransport } from '../../src/transport/smtp-transport.ts';
import type { SmtpOptions } from '../../src/transport/smtp-transport.ts';
import type { OutgoingMessage, Transport } from '../../src/transport/transport.ts';
import {
  APP_CERTIFICATE,
  CLIENT_SECRET,
  GOOGLE_REFRESH,
  GOOGLE_SERVICE_ACCOUNT,
  REFRESH_TOKEN,
  USER,
  closedPort,
  googleClient,
  googleConfig,
  microsoftApp,
  microsoftConfig,
  visible,
} from '../support/oauth-fixture.ts';
import { rejection } from '../support/rejection.ts';
import { startTestSmtpServer } from '../support/smtp-test-server.ts';
import type { TestSmtpServer } from '../support/smtp-test-server.ts';
import { startTokenServer } from '../support/token-server.ts';
import type { TokenServer, TokenServerOptions } from '../support/token-server.ts';

const ENDPOINTS: TokenServerOptions = {
  ...microsoftApp({ rotateRefreshTokens: true }),
  ...googleClient(),
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tokenServer(options: Partial<TokenServerOptions> = {}): Promise<TokenServer> {
  const s = await startTokenServer({ ...ENDPOINTS, ...options });
  cleanups.push(() => s.close());
  return s;
}

/** The SMTP server accepts XOAUTH2 for USER with a token the endpoint issued and still holds valid. */
async function smtpServer(tokens: TokenServer): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer({
    auth: { user: USER, acceptToken: (token) => tokens.isValid(token) },
  });
  cleanups.push(() => s.close());
  return s;
}

function transport(options: SmtpOptions): Transport {
  const t = createSmtpTransport(options);
  cleanups.push(() => t.close());
  return t;
}

function message(n: number): OutgoingMessage {
  const raw = [
    `From: Invitations <${USER}>`,
    'To: bob@example.com',
    `Subject: Invitation ${n}`,
    `Message-ID: <oauth-${n}@contoso.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Meeting number ${n}.`,
    '',
  ].join('\r\n');
  return {
    messageId: `oauth-${n}@contoso.example`,
    envelope: { from: USER, to: ['bob@example.com'] },
    raw: Buffer.from(raw, 'utf8'),
  };
}

/** The XOAUTH2 initial response carrying `token` (RFC 7628's GS2 form as Google and Microsoft use it). */
function xoauth2String(token: string): string {
  return Buffer.from(`user=${USER}\u0001auth=Bearer ${token}\u0001\u0001`).toString('base64');
}

function expectNoSecret(err: SmtpInviteError, secrets: readonly string[]): void {
  const text = visible(err);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(xoauth2String(secret));
  }
}

/** The Microsoft app with its client secret, against the endpoint `tokens`. */
const secretConfig = (tokens: TokenServer): OAuthConfig =>
  microsoftConfig(tokens.microsoftTokenUrl, { clientSecret: CLIENT_SECRET });

const FLOWS: readonly (readonly [
  string,
  (tokens: TokenServer) => OAuthConfig | Promise<OAuthConfig>,
])[] = [
  [
    'a ready access token',
    async (tokens) => {
      // A token obtained elsewhere (here: from the same endpoint), handed over as SMTP_OAUTH_TOKEN.
      const issuer = createOAuthTokenSource(secretConfig(tokens));
      return { provider: 'token', user: USER, accessToken: await issuer.getToken(false) };
    },
  ],
  ['microsoft, client secret', secretConfig],
  [
    'microsoft, certificate',
    (tokens) => microsoftConfig(tokens.microsoftTokenUrl, { certificate: APP_CERTIFICATE }),
  ],
  [
    'microsoft, refresh token',
    (tokens) => microsoftConfig(tokens.microsoftTokenUrl, { refreshToken: REFRESH_TOKEN }),
  ],
  [
    'google, service account',
    (tokens) => googleConfig(tokens.googleTokenUrl, GOOGLE_SERVICE_ACCOUNT),
  ],
  ['google, refresh token', (tokens) => googleConfig(tokens.googleTokenUrl, GOOGLE_REFRESH)],
];

describe.each(FLOWS)('XOAUTH2 with %s', (_name, configFor) => {
  it('sends through send() and through openSession(), with one token', async () => {
    const tokens = await tokenServer();
    const smtp = await smtpServer(tokens);
    const source = createOAuthTokenSource(await configFor(tokens));
    const before = tokens.requests;
    const t = transport({ url: smtp.url, oauth2: source });

    const sent = await t.send(message(1));
    const session = await t.openSession!();
    const viaSession = await session.send(message(2));
    await session.close();

    expect(sent.accepted).toEqual(['bob@example.com']);
    expect(viaSession.accepted).toEqual(['bob@example.com']);
    expect(smtp.received.map((m) => m.envelope.from)).toEqual([USER, USER]);
    // At most one token request for both logins (none for a ready token).
    expect(tokens.requests - before).toBeLessThanOrEqual(1);
    expect(t.description).toContain(`XOAUTH2 as ${USER}`);
  });
});

describe('token reuse', () => {
  it('one token request for many messages', async () => {
    const tokens = await tokenServer();
    const smtp = await smtpServer(tokens);
    const t = transport({ url: smtp.url, oauth2: createOAuthTokenSource(secretConfig(tokens)) });

    for (let i = 1; i <= 5; i++) await t.send(message(i));

    expect(smtp.received).toHaveLength(5);
    expect(tokens.requests).toBe(1);
  });

  it('one token request for four sessions opened at once', async () => {
    // The endpoint answers slowly, so that all four logins wait for the same request.
    const tokens = await tokenServer({ delayMs: 100 });
    const smtp = await smtpServer(tokens);
    const t = transport({ url: smtp.url, oauth2: createOAuthTokenSource(secretConfig(tokens)) });

    const sessions = await Promise.all([1, 2, 3, 4].map(() => t.openSession!()));
    await Promise.all(sessions.map((s, i) => s.send(message(i + 1))));
    await Promise.all(sessions.map((s) => s.close()));

    expect(smtp.received).toHaveLength(4);
    expect(smtp.stats.peakConnections).toBe(4);
    expect(tokens.requests).toBe(1);
  });

  it('a new token once the old one is about to expire (injected clock)', async () => {
    const tokens = await tokenServer();
    const smtp = await smtpServer(tokens);
    let now = Date.now();
    const options: OAuthTokenSourceOptions = { now: () => now };
    const t = transport({
      url: smtp.url,
      oauth2: createOAuthTokenSource(secretConfig(tokens), options),
    });

    const first = await t.openSession!();
    await first.send(message(1));
    await first.close();
    now += 56 * 60_000;
    const second = await t.openSession!();
    await second.send(message(2));
    await second.close();

    expect(tokens.requests).toBe(2);
    expect(smtp.received).toHaveLength(2);
  });
});

/** A client-secret source whose cached token the endpoint has revoked: its next login is refused. */
async function revokedSource(tokens: TokenServer): Promise<OAuthTokenSource> {
  const source = createOAuthTokenSource(secretConfig(tokens));
  tokens.revoke(await source.getToken(false));
  return source;
}

/** Sends `m` through send(), or through a session opened for it. */
async function deliver(
  t: Transport,
  way: 'send' | 'openSession',
  m: OutgoingMessage,
): Promise<void> {
  if (way === 'send') {
    await t.send(m);
    return;
  }
  const session = await t.openSession!();
  await session.send(m);
  await session.close();
}

describe('a token revoked at the server is renewed once, and the message goes', () => {
  it.each(['send', 'openSession'] as const)('through %s()', async (way) => {
    const tokens = await tokenServer();
    const smtp = await smtpServer(tokens);
    const t = transport({ url: smtp.url, oauth2: await revokedSource(tokens) });

    await deliver(t, way, message(1));

    expect(smtp.received).toHaveLength(1);
    expect(tokens.requests).toBe(2);
  });
});

/**
 * An SMTP server that refuses a token as Exchange Online does: 535 at once, no 334 challenge, so
 * nodemailer does not renew by itself. `reply` builds the refusal text (it may echo the token).
 */
async function exchangeLikeServer(
  tokens: TokenServer,
  reply: (token: string) => string = () => '5.7.3 Authentication unsuccessful [EXO.TEST]',
  accept: (token: string) => boolean = (token) => tokens.isValid(token),
): Promise<{ url: string; received: number; logins: number }> {
  const state = { received: 0, logins: 0 };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['XOAUTH2'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      state.logins += 1;
      const token = auth.accessToken ?? '';
      if (auth.method === 'XOAUTH2' && auth.username === USER && accept(token)) {
        callback(null, { user: USER });
      } else {
        callback(Object.assign(new Error(reply(token)), { responseCode: 535 }));
      }
    },
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        state.received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `smtp://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get logins() {
      return state.logins;
    },
  };
}

describe('a server that refuses with a plain 535 (Exchange Online)', () => {
  it.each(['send', 'openSession'] as const)(
    '%s(): the token is renewed once and the message goes',
    async (way) => {
      const tokens = await tokenServer();
      const smtp = await exchangeLikeServer(tokens);
      const t = transport({ url: smtp.url, oauth2: await revokedSource(tokens) });

      await deliver(t, way, message(1));

      expect(smtp.received).toBe(1);
      // The refused login and the one with the renewed token.
      expect(smtp.logins).toBe(2);
      expect(tokens.requests).toBe(2);
    },
  );

  it('refused again after renewal: ERR_SMTP_AUTH with what to check in Microsoft 365, tokens masked even when echoed', async () => {
    const tokens = await tokenServer();
    // A server that echoes the token it refuses: the mask must know tokens issued after the
    // transport was made.
    // It accepts no token at all.
    const smtp = await exchangeLikeServer(
      tokens,
      (token) => `5.7.3 token ${token} not accepted`,
      () => false,
    );
    const t = transport({ url: smtp.url, oauth2: createOAuthTokenSource(secretConfig(tokens)) });

    const err = await rejection(t.send(message(1)));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.responseCode).toBe(535);
    expect(err.message).toContain(`refused the OAuth2 token for ${USER}`);
    expect(err.message).toContain('Set-CASMailbox');
    expect(err.message).toContain('SMTP.SendAsApp');
    expect(err.message).toContain('New-ServicePrincipal');
    expect(err.message).toContain('token *** not accepted');
    expect(smtp.received).toBe(0);
    // Two logins, each with its own token: the first refused, the renewed one refused too.
    expect(smtp.logins).toBe(2);
    expect(tokens.issued).toHaveLength(2);
    expectNoSecret(err, [...tokens.issued, CLIENT_SECRET]);
  });

  it('SMTP AUTH disabled (5.7.139): no renewal, says to enable it', async () => {
    const tokens = await tokenServer();
    const smtp = await exchangeLikeServer(
      tokens,
      () =>
        '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
    );
    const t = transport({ url: smtp.url, oauth2: await revokedSource(tokens) });

    const err = await rejection(t.send(message(1)));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.message).toContain('SMTP AUTH is disabled for this tenant or mailbox: enable it');
    expect(tokens.requests).toBe(1);
    expect(smtp.logins).toBe(1);
  });
});

describe('a ready token the server refuses', () => {
  const refusedToken = 'eyJ0eXAiOiJKV1QiLCJhbGciOi.expired-token_0123456789';

  it.each(['send', 'openSession'] as const)(
    'via %s: ERR_SMTP_AUTH saying it is never renewed and how to get one; the token nowhere',
    async (way) => {
      const tokens = await tokenServer();
      const smtp = await smtpServer(tokens);
      const t = transport({
        url: smtp.url,
        oauth2: createOAuthTokenSource({
          provider: 'token',
          user: USER,
          accessToken: refusedToken,
        }),
      });

      const err = await rejection(
        way === 'send' ? t.send(message(1)) : t.openSession!().then((s) => s.close()),
      );

      expect(err.code).toBe('ERR_SMTP_AUTH');
      expect(err.message).toMatch(
        new RegExp(
          `^127\\.0\\.0\\.1:${smtp.port} refused the OAuth2 token for ${USER.replace('.', '\\.')}`,
        ),
      );
      expect(err.message).toContain('SMTP_OAUTH_TOKEN is used as given and never renewed');
      expect(err.message).toContain('get a new one');
      expect(err.isTransient).toBe(false);
      expect(smtp.received).toHaveLength(0);
      expectNoSecret(err, [refusedToken]);
    },
  );

  it('a plain 535: the server reply is kept, the token is not offered twice', async () => {
    const tokens = await tokenServer();
    const smtp = await exchangeLikeServer(tokens);
    const t = transport({
      url: smtp.url,
      oauth2: createOAuthTokenSource({ provider: 'token', user: USER, accessToken: refusedToken }),
    });

    const err = await rejection(t.send(message(1)));

    expect(err.message).toContain('(535 5.7.3 Authentication unsuccessful [EXO.TEST])');
    expect(smtp.logins).toBe(1);
    expectNoSecret(err, [refusedToken]);
  });
});

describe('the token endpoint failing', () => {
  it.each(['send', 'openSession'] as const)(
    'refusing the client, via %s: ERR_SMTP_AUTH naming the OAuth error, no secret, nothing sent',
    async (way) => {
      const tokens = await tokenServer();
      const smtp = await smtpServer(tokens);
      const wrong = 'Wr0ng~secret.value_9876543210';
      const t = transport({
        url: smtp.url,
        oauth2: createOAuthTokenSource(
          microsoftConfig(tokens.microsoftTokenUrl, { clientSecret: wrong }),
        ),
      });

      const err = await rejection(
        way === 'send' ? t.send(message(1)) : t.openSession!().then((s) => s.close()),
      );

      expect(err.code).toBe('ERR_SMTP_AUTH');
      expect(err.message).toContain("Microsoft Entra ID's token endpoint 127.0.0.1:");
      expect(err.message).toContain('invalid_client (AADSTS7000215');
      expect(err.message).toContain("give the secret's Value");
      expect(smtp.received).toHaveLength(0);
      expectNoSecret(err, [wrong, encodeURIComponent(wrong), CLIENT_SECRET]);
    },
  );

  it('unreachable: ERR_SMTP_AUTH, transient', async () => {
    const tokens = await tokenServer();
    const smtp = await smtpServer(tokens);
    const port = await closedPort();
    const t = transport({
      url: smtp.url,
      oauth2: createOAuthTokenSource(
        microsoftConfig(`http://127.0.0.1:${port}/t/oauth2/v2.0/token`, {
          clientSecret: CLIENT_SECRET,
        }),
      ),
    });

    const err = await rejection(t.send(message(1)));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.isTransient).toBe(true);
    expect(err.message).toContain('it could not be reached (ECONNREFUSED)');
  });
});

describe('settings', () => {
  const source = (): OAuthTokenSource =>
    createOAuthTokenSource({ provider: 'token', user: USER, accessToken: 'abc' });

  it('an http:// token URL to a non-loopback host is refused before anything is sent (ERR_CONFIG)', () => {
    expect(() =>
      createOAuthTokenSource(googleConfig('http://oauth2.example.com/token', GOOGLE_REFRESH)),
    ).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
  });

  it('a password with OAuth2 is ERR_SMTP_CONFIG', () => {
    expect(() =>
      createSmtpTransport({ url: 'smtp://127.0.0.1:2525', password: 'pw', oauth2: source() }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SMTP_CONFIG',
        message: expect.stringContaining('both a password and OAuth2 were given') as unknown,
      }),
    );
    expect(() =>
      createSmtpTransport({
        url: `smtp://${encodeURIComponent(USER)}:pw@127.0.0.1:2525`,
        oauth2: source(),
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SMTP_CONFIG' }));
  });

  it("the URL's user must be the token's", () => {
    expect(() =>
      createSmtpTransport({
        url: 'smtp://someone%40contoso.example@127.0.0.1:2525',
        oauth2: source(),
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_SMTP_CONFIG',
        message: expect.stringContaining(
          `names the user someone@contoso.example but the OAuth2 token is for ${USER}`,
        ) as unknown,
      }),
    );
    expect(() =>
      createSmtpTransport({
        url: `smtp://${encodeURIComponent(USER)}@127.0.0.1:2525`,
        oauth2: source(),
      }),
    ).not.toThrow();
  });

  it('a server that offers no XOAUTH2', async () => {
    const smtp = await startTestSmtpServer({ auth: { user: USER, pass: 'pw' } });
    cleanups.push(() => smtp.close());
    const t = transport({ url: smtp.url, oauth2: source() });

    const err = await rejection(t.send(message(1)));

    expect(err.code).toBe('ERR_SMTP_AUTH');
    expect(err.message).toContain('does not accept XOAUTH2');
  });
});
