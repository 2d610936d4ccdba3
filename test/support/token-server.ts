/**
 * A real OAuth2 token endpoint on 127.0.0.1 (port 0) for tests, speaking the two dialects the
 * token sources use:
 * - Microsoft Entra ID at `/{tenant}/oauth2/v2.0/token`: client credentials with a client secret
 *   or a certificate assertion (PS256, x5t#S256, aud = this URL, iss = sub = client id, jti used
 *   once, nbf/exp at most 10 minutes apart), and the refresh_token grant (rotating the refresh
 *   token when asked). Errors carry AADSTS codes and the Trace ID / Correlation ID tail as Entra
 *   ID does.
 * - Google at `/token`: the JWT bearer grant of a service account (RS256, iss = client_email,
 *   sub = a delegated mailbox, scope, aud = this URL, exp - iat ≤ 3600) and the refresh_token grant.
 *
 * It issues random tokens with a configurable lifetime, can revoke them, refuse requests, hold
 * replies (to overlap concurrent requests), and counts everything. `isValid(token)` is what the
 * SMTP test server's `acceptToken` asks: issued here, not expired, not revoked.
 *
 *   const tokens = await startTokenServer({ microsoft: { tenant: 't1', clientId: 'app', clientSecret: 's' } });
 *   const smtp = await startTestSmtpServer({ auth: { user, acceptToken: (t) => tokens.isValid(t) } });
 */
import {
  X509Certificate,
  constants,
  createHash,
  createPublicKey,
  randomBytes,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

export interface MicrosoftApp {
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The certificate registered for the app: assertions must be signed by its key. */
  readonly certificatePem?: string;
  /** A refresh token the app may redeem (for `user`). */
  readonly refreshToken?: string;
  /** Issue a new refresh token on each refresh and invalidate the one redeemed. */
  readonly rotateRefreshTokens?: boolean;
  /** A client secret that has expired (AADSTS7000222). */
  readonly expiredSecret?: string;
}

export interface GoogleClient {
  /** A service account and the mailboxes its client ID was delegated for (domain-wide). */
  readonly serviceAccount?: {
    readonly clientEmail: string;
    /** Public key or certificate (PEM) of the account's key. */
    readonly publicKeyPem: string;
    readonly users: readonly string[];
  };
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
}

export interface TokenServerOptions {
  /** Lifetime of the tokens issued, in seconds (expires_in). Default 3600. Changeable later. */
  readonly expiresIn?: number;
  readonly microsoft?: MicrosoftApp;
  readonly google?: GoogleClient;
  /** Hold every reply this long (to overlap concurrent requests). */
  readonly delayMs?: number;
}

export interface TokenRequestLog {
  readonly path: string;
  readonly grantType: string;
  readonly clientId: string | undefined;
  readonly scope: string | undefined;
  /** The OAuth error returned, or undefined when a token was issued. */
  readonly error: string | undefined;
}

/** A canned reply instead of the normal handling (non-JSON, no access_token, 500...). */
export interface CannedReply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `<url>/<tenant>/oauth2/v2.0/token` for the configured Microsoft app. */
  readonly microsoftTokenUrl: string;
  /** `<url>/token` */
  readonly googleTokenUrl: string;
  /** Seconds; applies to tokens issued from now on. */
  expiresIn: number;
  /** Every token request, in order. */
  readonly log: readonly TokenRequestLog[];
  /** Token requests so far (also refused ones). */
  readonly requests: number;
  /** Access tokens issued, oldest first. */
  readonly issued: readonly string[];
  /** Refresh tokens issued by rotation, oldest first. */
  readonly rotatedRefreshTokens: readonly string[];
  /** Issued here, not expired, not revoked. */
  isValid(token: string): boolean;
  revoke(token: string): void;
  /** Every following request gets this OAuth error (until set to undefined). */
  refuseWith: { status: number; error: string; description: string } | undefined;
  /** Every following request gets this reply (until set to undefined). */
  cannedReply: CannedReply | undefined;
  close(): Promise<void>;
}

const AADSTS_TAIL =
  '\r\nTrace ID: 0d9f1a2b-0000-4c1d-9e57-6f1a2b3c4d00\r\nCorrelation ID: 5e6f7a8b-1111-4a2b-8c3d-9e0f1a2b3c4d\r\nTimestamp: 2026-11-21 10:00:00Z';

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  const issued: string[] = [];
  const rotated: string[] = [];
  const log: TokenRequestLog[] = [];
  const seenJti = new Set<string>();
  let liveRefreshToken = options.microsoft?.refreshToken;
  const sockets = new Set<Socket>();

  const msCert =
    options.microsoft?.certificatePem === undefined
      ? undefined
      : new X509Certificate(options.microsoft.certificatePem);
  const googleKey: KeyObject | undefined =
    options.google?.serviceAccount === undefined
      ? undefined
      : publicKeyOf(options.google.serviceAccount.publicKeyPem);

  const state: {
    expiresIn: number;
    refuseWith: TokenServer['refuseWith'];
    cannedReply: CannedReply | undefined;
  } = { expiresIn: options.expiresIn ?? 3600, refuseWith: undefined, cannedReply: undefined };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 64 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const reply = handle(req.method ?? 'GET', path, form, req.headers['content-type']);
      log.push({
        path,
        grantType: form.get('grant_type') ?? '',
        clientId: form.get('client_id') ?? undefined,
        scope: form.get('scope') ?? undefined,
        error: reply.error,
      });
      const send = (): void => {
        res.writeHead(reply.status, { 'content-type': reply.contentType });
        res.end(reply.body);
      };
      if (options.delayMs === undefined) send();
      else setTimeout(send, options.delayMs);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  const microsoftPath = `/${options.microsoft?.tenant ?? 'tenant'}/oauth2/v2.0/token`;

  interface Reply {
    status: number;
    body: string;
    contentType: string;
    error: string | undefined;
  }
  function oauthError(status: number, error: string, description: string): Reply {
    return {
      status,
      body: JSON.stringify({ error, error_description: description }),
      contentType: 'application/json',
      error,
    };
  }
  function issue(extra: Record<string, string> = {}): Reply {
    const token = `at.${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { expiresAt: Date.now() + state.expiresIn * 1000, revoked: false });
    issued.push(token);
    return {
      status: 200,
      body: JSON.stringify({
        token_type: 'Bearer',
        expires_in: state.expiresIn,
        access_token: token,
        ...extra,
      }),
      contentType: 'application/json; charset=utf-8',
      error: undefined,
    };
  }

  function handle(
    method: string,
    path: string,
    form: URLSearchParams,
    contentType: string | undefined,
  ): Reply {
    if (state.cannedReply !== undefined) {
      return {
        status: state.cannedReply.status,
        body: state.cannedReply.body,
        contentType: state.cannedReply.contentType ?? 'text/html',
        error: `canned ${state.cannedReply.status}`,
      };
    }
    if (state.refuseWith !== undefined) {
      const r = state.refuseWith;
      return oauthError(r.status, r.error, r.description);
    }
    if (method !== 'POST' || !(contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'POST a form');
    }
    if (path === microsoftPath && options.microsoft !== undefined) {
      return microsoft(options.microsoft, form);
    }
    if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path)) {
      return oauthError(
        400,
        'invalid_request',
        `AADSTS90002: Tenant '${path.split('/')[1] ?? ''}' not found.${AADSTS_TAIL}`,
      );
    }
    if (path === '/token' && options.google !== undefined) return google(options.google, form);
    return oauthError(404, 'not_found', 'no such endpoint');
  }

  function microsoft(app: MicrosoftApp, form: URLSearchParams): Reply {
    if (form.get('client_id') !== app.clientId) {
      return oauthError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${app.tenant}'.${AADSTS_TAIL}`,
      );
    }
    // Client authentication: secret, assertion, or none (a public client's refresh).
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (app.expiredSecret !== undefined && secret === app.expiredSecret) {
        return oauthError(
          401,
          'invalid_client',
          `AADSTS7000222: The provided client secret keys for app '${app.clientId}' are expired.${AADSTS_TAIL}`,
        );
      }
      if (secret !== app.clientSecret) {
        return oauthError(
          401,
          'invalid_client',
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.${AADSTS_TAIL}`,
        );
      }
    } else if (assertion !== null) {
      if (
        form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      ) {
        return oauthError(400, 'invalid_request', 'AADSTS50027: wrong client_assertion_type.');
      }
      const problem = checkMicrosoftAssertion(app, assertion);
      if (problem !== undefined) {
        return oauthError(
          401,
          'invalid_client',
          `AADSTS700027: Client assertion failed signature validation. (${problem})${AADSTS_TAIL}`,
        );
      }
    } else if (form.get('grant_type') !== 'refresh_token') {
      return oauthError(
        401,
        'invalid_client',
        `AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.${AADSTS_TAIL}`,
      );
    }

    switch (form.get('grant_type') ?? '') {
      case 'client_credentials':
        if (form.get('scope') !== 'https://outlook.office365.com/.default') {
          return oauthError(
            400,
            'invalid_scope',
            `AADSTS70011: The provided value for the input parameter 'scope' is not valid.${AADSTS_TAIL}`,
          );
        }
        return issue();
      case 'refresh_token': {
        const presented = form.get('refresh_token');
        if (presented === null || presented !== liveRefreshToken) {
          return oauthError(
            400,
            'invalid_grant',
            `AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.${AADSTS_TAIL}`,
          );
        }
        if (
          !(form.get('scope') ?? '').split(' ').includes('https://outlook.office.com/SMTP.Send')
        ) {
          return oauthError(
            400,
            'invalid_scope',
            `AADSTS70011: scope must include SMTP.Send.${AADSTS_TAIL}`,
          );
        }
        if (app.rotateRefreshTokens === true) {
          liveRefreshToken = `rt.${randomBytes(18).toString('base64url')}`;
          rotated.push(liveRefreshToken);
          return issue({ refresh_token: liveRefreshToken });
        }
        return issue();
      }
      default:
        return oauthError(
          400,
          'unsupported_grant_type',
          `AADSTS70003: unsupported grant type.${AADSTS_TAIL}`,
        );
    }
  }

  /** undefined when the assertion is right; else why not. */
  function checkMicrosoftAssertion(app: MicrosoftApp, jwt: string): string | undefined {
    if (msCert === undefined) return 'no certificate registered';
    const parsed = verifyJwt(jwt, msCert.publicKey, 'PS256');
    if (typeof parsed === 'string') return parsed;
    const { header, claims } = parsed;
    const thumbprint = createHash('sha256').update(msCert.raw).digest('base64url');
    if (header['x5t#S256'] !== thumbprint) return 'x5t#S256 does not match the certificate';
    if (claims.aud !== `${base}${microsoftPath}`) return `aud ${String(claims.aud)}`;
    if (claims.iss !== app.clientId || claims.sub !== app.clientId) return 'iss/sub';
    if (typeof claims.jti !== 'string' || claims.jti === '') return 'no jti';
    if (seenJti.has(claims.jti)) return 'jti replayed';
    seenJti.add(claims.jti);
    const now = Math.floor(Date.now() / 1000);
    const nbf = Number(claims.nbf);
    const exp = Number(claims.exp);
    if (!(nbf <= now + 60)) return 'nbf in the future';
    if (!(exp > now)) return 'expired';
    if (!(exp - nbf <= 600)) return 'lives longer than 10 minutes';
    return undefined;
  }

  function google(client: GoogleClient, form: URLSearchParams): Reply {
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const account = client.serviceAccount;
      if (account === undefined || googleKey === undefined) {
        return oauthError(400, 'invalid_grant', 'No service account.');
      }
      const parsed = verifyJwt(form.get('assertion') ?? '', googleKey, 'RS256');
      if (typeof parsed === 'string')
        return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
      const { claims } = parsed;
      const now = Math.floor(Date.now() / 1000);
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      if (!(iat <= now + 60 && exp > now && exp - iat <= 3600)) {
        return oauthError(
          400,
          'invalid_grant',
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
        );
      }
      if (claims.aud !== `${base}/token`)
        return oauthError(400, 'invalid_grant', 'Invalid JWT audience.');
      if (claims.iss !== account.clientEmail) {
        return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
      }
      if (typeof claims.sub !== 'string' || !account.users.includes(claims.sub)) {
        return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
      }
      if (claims.scope !== 'https://mail.google.com/') {
        return oauthError(
          401,
          'unauthorized_client',
          'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        );
      }
      return issue();
    }
    if (grant === 'refresh_token') {
      if (
        form.get('client_id') !== client.clientId ||
        form.get('client_secret') !== client.clientSecret
      ) {
        return oauthError(401, 'invalid_client', 'Unauthorized');
      }
      if (form.get('refresh_token') !== client.refreshToken) {
        return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      return issue({ scope: 'https://mail.google.com/' });
    }
    return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + String(grant));
  }

  return {
    url: base,
    microsoftTokenUrl: `${base}${microsoftPath}`,
    googleTokenUrl: `${base}/token`,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(value: number) {
      state.expiresIn = value;
    },
    get refuseWith() {
      return state.refuseWith;
    },
    set refuseWith(value) {
      state.refuseWith = value;
    },
    get cannedReply() {
      return state.cannedReply;
    },
    set cannedReply(value) {
      state.cannedReply = value;
    },
    log,
    get requests() {
      return log.length;
    },
    issued,
    rotatedRefreshTokens: rotated,
    isValid(token: string): boolean {
      const t = tokens.get(token);
      return t !== undefined && !t.revoked && Date.now() < t.expiresAt;
    },
    revoke(token: string): void {
      const t = tokens.get(token);
      if (t !== undefined) t.revoked = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function publicKeyOf(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE')
    ? new X509Certificate(pem).publicKey
    : createPublicKey(pem);
}

/** The header and claims of a compact JWS whose signature verifies with `key` under `alg`; else why not. */
function verifyJwt(
  jwt: string,
  key: KeyObject,
  alg: 'RS256' | 'PS256',
): { header: Record<string, unknown>; claims: Record<string, unknown> } | string {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const [h, c, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return 'not JSON';
  }
  if (header.alg !== alg) return `alg ${String(header.alg)}`;
  if (header.typ !== undefined && header.typ !== 'JWT') return 'typ';
  const data = Buffer.from(`${h}.${c}`);
  const signature = Buffer.from(s, 'base64url');
  const ok =
    alg === 'PS256'
      ? verify(
          'sha256',
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          signature,
        )
      : verify('sha256', data, key, signature);
  return ok ? { header, claims } : 'bad signature';
}
