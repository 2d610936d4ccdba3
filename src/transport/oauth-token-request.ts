/**
 * One POST to a token endpoint (RFC 6749 §4.4 / §6, RFC 7523) with the global fetch (or the one
 * given): no redirect followed, a time limit, a capped reply. Every failure is ERR_SMTP_AUTH naming
 * the provider, the endpoint's host, the OAuth `error` and what to check (the flow's `explain`),
 * transient or not; the description the endpoint sends is cleaned and its secrets masked.
 */
import { SmtpInviteError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import type { Flow } from './oauth-flow.ts';
import { FIELD_SOURCES } from './oauth-settings.ts';

const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_DESCRIPTION = 240;

/** What the request needs of the refreshing source's options. */
export interface TokenRequestOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

interface TokenReply {
  readonly accessToken: string;
  readonly expiresInMs: number | undefined;
  readonly refreshToken: string | undefined;
}

export async function requestToken(
  flow: Flow,
  form: URLSearchParams,
  options: TokenRequestOptions,
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

function authError(message: string, transient: boolean): SmtpInviteError {
  const code: ErrorCode = 'ERR_SMTP_AUTH';
  return new SmtpInviteError(code, message, { isTransient: transient });
}
