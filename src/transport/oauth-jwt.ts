/**
 * The signed JWTs of the OAuth2 flows, with node:crypto only (no JWT library: two fixed shapes).
 *
 * - Microsoft Entra ID certificate credential (a `client_assertion`, RFC 7523 §2.2 / OpenID
 *   Connect `private_key_jwt`): per https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 *   the header is `alg` PS256, `typ` JWT and `x5t#S256` (base64url SHA-256 thumbprint of the
 *   certificate's DER), the claims aud = the token URL, iss = sub = the client id, a fresh `jti`,
 *   `nbf`/`iat` = now and `exp` 5–10 minutes later; the signature uses PSS padding. (The older
 *   form, RS256 with a SHA-1 `x5t`, is still accepted there; we follow the current page.)
 * - Google service account (the JWT bearer grant, RFC 7523 §2.1, per
 *   https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests):
 *   RS256; iss = the service account's client_email, sub = the mailbox (domain-wide delegation),
 *   scope, aud = the token URL, iat, and exp at most one hour later.
 */
import { X509Certificate, constants, createHash, createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { SmtpInviteError } from '../errors.ts';

export type JwtAlgorithm = 'RS256' | 'PS256';

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `header.claims.signature`, each part base64url (RFC 7515 §7.1, compact serialisation). */
export function signJwt(
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
  key: KeyObject,
): string {
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') {
    throw new SmtpInviteError('ERR_INTERNAL', `unsupported JWT algorithm ${String(alg)}`);
  }
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  // RFC 7518 §3.3 (RSASSA-PKCS1-v1_5) and §3.5 (RSASSA-PSS, MGF1 with SHA-256, salt = hash size).
  const signature =
    alg === 'PS256'
      ? sign('sha256', Buffer.from(input), {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${base64url(signature)}`;
}

/** base64url thumbprints of the certificate's DER encoding: `x5t` (SHA-1) and `x5t#S256`. */
export function certificateThumbprints(certificate: X509Certificate): {
  x5t: string;
  x5tS256: string;
} {
  return {
    x5t: base64url(createHash('sha1').update(certificate.raw).digest()),
    x5tS256: base64url(createHash('sha256').update(certificate.raw).digest()),
  };
}

/**
 * An RSA private key from PEM text; ERR_CONFIG naming `what` otherwise. The key text is never
 * echoed (it is a secret), nor is node's parse error (it may quote it).
 */
export function readRsaPrivateKey(pem: string, what: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    throw configError(
      `${what} is encrypted with a passphrase, which is not supported: decrypt it (openssl pkey -in key.pem -out plain.pem) and keep that file readable only by you (chmod 600)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw configError(
      `${what} is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----): give the key in PEM form`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw configError(
      `${what} is a ${key.asymmetricKeyType ?? 'non-RSA'} key, but the token endpoints need an RSA key (RS256/PS256): create an RSA key of 2048 bits or more`,
    );
  }
  return key;
}

/** An X.509 certificate from PEM text; ERR_CONFIG naming `what` otherwise. */
export function readCertificate(pem: string, what: string): X509Certificate {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    throw configError(
      `${what} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the certificate uploaded to the app registration, in PEM form`,
    );
  }
  try {
    return new X509Certificate(pem);
  } catch {
    throw configError(
      `${what} is not a valid PEM certificate: give the certificate uploaded to the app registration, in PEM form`,
    );
  }
}

function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_CONFIG', message);
}
