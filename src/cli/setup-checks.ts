/**
 * The checks of `smtp-invite check-setup`, each on what the send path itself builds (the token
 * source, the SMTP transport, the DKIM signer), so that a passing check means the same settings
 * will work for `send`. None sends a message. A failure is the error the send path would give
 * (its code and message name the setting and the fix), reported as a failed check.
 */
import { Resolver } from 'node:dns/promises';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

import { SmtpInviteError } from '../errors.ts';
import { createDkimSigner, dkimDnsRecord, type DkimSigner } from '../transport/dkim-signing.ts';
import type { OAuthConfig, OAuthTokenSource } from '../transport/oauth-token.ts';
import { createOAuthTokenSource } from '../transport/oauth-token.ts';
import { formatHostPort } from '../transport/smtp-errors.ts';
import type { ParsedSmtpUrl } from '../transport/smtp-transport.ts';
import type { Transport } from '../transport/transport.ts';
import type { CliIo } from './cli-io.ts';
import type { DkimSettings } from './delivery-settings.ts';
import { compareDkimRecord, dkimSignatureTags, verifyDkimSignature } from './dkim-self-check.ts';
import { readOptionFile } from './secret-file.ts';
import type { CheckResult, DkimRecordLine } from './setup-report.ts';

/** A failed check from what the send path threw; anything else is a bug and is rethrown. */
function failed(name: string, err: unknown): CheckResult {
  if (!(err instanceof SmtpInviteError)) throw err;
  return { name, ok: false, detail: `error ${err.code}: ${err.message}`, code: err.code };
}

// ---------------------------------------------------------------------------------------------
// OAuth2

/** A token source like the send path's, which also notes what the token endpoint said. */
export function prepareTokenCheck(
  config: OAuthConfig,
  origin: string,
  io: CliIo,
): { readonly source: OAuthTokenSource; readonly check: () => Promise<CheckResult> } {
  let issued: { host: string; expiresIn: number | undefined } | undefined;
  // The endpoint's expires_in (RFC 6749 §5.1) is read from a copy of the reply; the token in it
  // is masked like every token the source issues (registered below, before it can be printed).
  const observe: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    issued = { host: new URL(url).host, expiresIn: await expiresIn(response) };
    return response;
  };
  const source = createOAuthTokenSource(config, { fetch: observe });
  io.secrets?.addSource(() => source.secrets(), source.user);

  const check = async (): Promise<CheckResult> => {
    try {
      await source.getToken(false);
    } catch (err) {
      return failed('oauth2-token', err);
    }
    if (issued === undefined) {
      return {
        name: 'oauth2-token',
        ok: true,
        detail: `a ready token from ${origin}, used as given: its lifetime is not known here and it is never renewed (when it expires, put a new one there)`,
      };
    }
    const lifetime =
      issued.expiresIn === undefined
        ? 'the endpoint gave no lifetime (assumed 5 minutes)'
        : `valid for ${formatDuration(issued.expiresIn)}, renewed before it expires`;
    return {
      name: 'oauth2-token',
      ok: true,
      detail: `a token for ${source.user} from ${issued.host} (${config.provider}), ${lifetime}; the token itself is never shown`,
    };
  };
  return { source, check };
}

async function expiresIn(response: Response): Promise<number | undefined> {
  if (!response.ok) return undefined;
  try {
    const data = (await response.clone().json()) as { expires_in?: unknown } | null;
    // Some endpoints send it as a string ("3599").
    const seconds = Number(data?.expires_in);
    return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}

// ---------------------------------------------------------------------------------------------
// SMTP

/**
 * Connects, does TLS and AUTH as a send would (the transport's openSession), then QUIT: no MAIL
 * FROM. `login` is the mailbox the settings log in as (undefined: no login configured).
 */
export async function checkSmtp(
  transport: Transport,
  url: ParsedSmtpUrl,
  login: { readonly user: string; readonly mechanism: string } | undefined,
  insecure: boolean,
): Promise<CheckResult> {
  const where = formatHostPort(url.host, url.port);
  if (transport.openSession === undefined) {
    throw new SmtpInviteError('ERR_INTERNAL', 'check-setup needs an SMTP transport');
  }
  let negotiated;
  try {
    const session = await transport.openSession();
    negotiated = session.negotiated;
    await session.close();
  } catch (err) {
    return failed('smtp', err);
  }
  const tls =
    negotiated?.tls === true
      ? `TLS${negotiated.tlsProtocol === undefined ? '' : ` (${negotiated.tlsProtocol})`}, certificate ${insecure ? 'NOT verified (--insecure)' : 'verified'}`
      : 'no TLS (plaintext)';
  if (login !== undefined && negotiated?.authenticated !== true) {
    // nodemailer logs in only when the server offers AUTH; a send would go out without a login
    // and most servers refuse it at MAIL FROM or RCPT TO (relaying denied).
    return {
      name: 'smtp',
      ok: false,
      code: 'ERR_SMTP_AUTH',
      detail: `error ERR_SMTP_AUTH: ${where} (${tls}) did not offer AUTH, so ${login.user} could not log in: use the server's submission port (587 with STARTTLS, or smtps:// on 465) and check that SMTP AUTH is enabled for the mailbox`,
    };
  }
  const auth =
    login === undefined ? 'no login configured' : `logged in as ${login.user} (${login.mechanism})`;
  return {
    name: 'smtp',
    ok: true,
    detail: `${where}: connected, ${tls}, ${auth}, QUIT without sending`,
  };
}

// ---------------------------------------------------------------------------------------------
// DKIM

export interface LoadedDkim {
  readonly signer: DkimSigner;
  readonly publicKey: KeyObject;
  readonly bits: number;
  readonly record: DkimRecordLine;
}

/**
 * The key read as the send path reads it (a key file others can read is refused) and every check
 * withDkimSigning makes (ERR_CONFIG: domain, selector, an RSA key of at least 1024 bits that can
 * sign). Warnings (a short key) go to `onWarning`.
 */
export function loadDkim(
  dkim: DkimSettings,
  io: CliIo,
  onWarning: (message: string) => void,
): LoadedDkim {
  const key = dkim.key;
  const pem =
    'text' in key.value
      ? key.value.text
      : readOptionFile(key.value.file, { option: key.origin, singleLine: false });
  io.secrets?.add(pem);
  const signer = createDkimSigner({
    domainName: dkim.domain.value,
    keySelector: dkim.selector.value,
    privateKey: pem,
    keySource: 'file' in key.value ? `${key.origin} ${key.value.file}` : key.origin,
    onWarning,
  });
  const privateKey = createPrivateKey(pem);
  return {
    signer,
    publicKey: createPublicKey(privateKey),
    bits: privateKey.asymmetricKeyDetails?.modulusLength ?? 0,
    record: {
      name: `${signer.keySelector}._domainkey.${signer.domainName}`,
      value: dkimDnsRecord(pem),
    },
  };
}

/** Signs a sample message and verifies the signature with the public half of the key. */
export async function checkDkimSignature(dkim: LoadedDkim): Promise<CheckResult> {
  const { signer } = dkim;
  const sample = Buffer.from(
    [
      `From: check-setup@${signer.domainName}`,
      `To: check-setup@${signer.domainName}`,
      'Subject: smtp-invite check-setup  sample',
      'Date: Thu, 01 Jan 2026 00:00:00 +0000',
      `Message-ID: <check-setup@${signer.domainName}>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'A sample, never sent.  Relaxed canonicalization keeps this valid \t',
      '',
      '',
    ].join('\r\n'),
  );
  let signed: Buffer;
  try {
    signed = await signer.sign(sample);
  } catch (err) {
    return failed('dkim', err);
  }
  const problem = verifyDkimSignature(signed, dkim.publicKey);
  if (problem !== undefined) {
    return {
      name: 'dkim',
      ok: false,
      code: 'ERR_INTERNAL',
      detail: `error ERR_INTERNAL: the signature on a sample message does not verify (${problem}): please report it`,
    };
  }
  const tags = dkimSignatureTags(signed);
  return {
    name: 'dkim',
    ok: true,
    detail: `a sample message signed (d=${tags?.get('d') ?? ''}, s=${tags?.get('s') ?? ''}, rsa-sha256, relaxed/relaxed) and its signature verified with the public key of the ${dkim.bits}-bit key`,
  };
}

/** --dns: the TXT record published at `<s>._domainkey.<d>` against the key's. */
export async function checkDkimDns(record: DkimRecordLine): Promise<CheckResult> {
  const name = 'dkim-dns';
  let found: string[][];
  try {
    // The system's resolver; a dead one fails in seconds, not the default half minute.
    found = await new Resolver({ timeout: 3000, tries: 2 }).resolveTxt(record.name);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      found = [];
    } else {
      return {
        name,
        ok: false,
        detail: `the TXT record at ${record.name} could not be looked up (${String(code)}): check the network and the resolver, then run check-setup --dns again`,
      };
    }
  }
  const verdict = compareDkimRecord(record.value, found);
  switch (verdict.kind) {
    case 'match':
      return { name, ok: true, detail: `the TXT record at ${record.name} has this key's p=` };
    case 'missing':
      return {
        name,
        ok: false,
        detail: `no DKIM record at ${record.name}: publish the record below (a new record can take up to the zone's negative-caching TTL to be seen)`,
      };
    case 'differs':
      return {
        name,
        ok: false,
        detail: `the DKIM record at ${record.name} holds another public key: publish the record below, or sign with the key that matches (or under another selector)`,
      };
    case 'several':
      return {
        name,
        ok: false,
        detail: `${String(verdict.count)} DKIM records are published at ${record.name}: receivers may use any of them (RFC 6376 §3.6.2.2), so keep only the record below (or use a new selector)`,
      };
  }
}
