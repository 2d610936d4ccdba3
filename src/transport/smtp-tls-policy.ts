/**
 * The TLS policy of the SMTP transport (smtp-transport.ts): which of nodemailer's SMTPConnection
 * TLS options (requireTLS, ignoreTLS, opportunisticTLS, tls) a connection gets, and the check of a
 * private CA given with --tls-ca. Only nodemailer's option types are imported.
 */
import tls from 'node:tls';
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection/index.js';

import { SmtpInviteError } from '../errors.ts';

/**
 * The TLS policy, by host and scheme:
 * - smtps://: TLS from the first byte, certificate verified unless `insecure`.
 * - smtp:// to a loopback host: plaintext, STARTTLS not even attempted. Such a host is a local relay
 *   (a submission agent, an SSH tunnel end) or a capture server (`smtp-invite demo`): the traffic never
 *   leaves the machine, and such servers typically have no certificate that could be verified.
 * - smtp:// to any other host: STARTTLS required with a verified certificate, so a network attacker
 *   cannot strip TLS and read the credentials and the invitation. `insecure` relaxes that to
 *   "STARTTLS if offered, unverified, else plaintext" (the CLI warns; we print nothing here), and
 *   only with `allowInsecureRemote`.
 * - `requireTls` or a `tlsCa` treat a loopback smtp:// host like any other (STARTTLS required and
 *   verified): a TLS-terminating local proxy, and the tests of this policy. They keep STARTTLS
 *   required even with `insecure`, which then only skips the certificate check: asking for TLS
 *   must never end in plaintext (a stripped STARTTLS would otherwise expose the login).
 */
export interface TlsChoice {
  readonly insecure: boolean;
  /** Extra trusted CAs (PEM), added to Node's bundled roots. */
  readonly ca?: string;
  /** STARTTLS wanted even on a loopback host. */
  readonly requireTls: boolean;
}

export function tlsPolicy(
  url: { readonly secure: boolean; readonly loopback: boolean },
  choice: TlsChoice,
): Pick<SMTPConnectionOptions, 'requireTLS' | 'ignoreTLS' | 'opportunisticTLS' | 'tls'> {
  // Node's `ca` replaces the default roots: keep them, so a private CA is trusted in addition.
  const verify = {
    rejectUnauthorized: !choice.insecure,
    ...(choice.ca === undefined ? {} : { ca: [...defaultCaCertificates(), choice.ca] }),
  };
  if (url.secure) return { tls: verify };
  if (url.loopback && !choice.requireTls) return { ignoreTLS: true, requireTLS: false };
  if (choice.insecure && !choice.requireTls) {
    return { requireTLS: false, ignoreTLS: false, opportunisticTLS: true, tls: verify };
  }
  return { requireTLS: true, ignoreTLS: false, tls: verify };
}

/**
 * The CAs Node trusts by default: its bundled roots plus NODE_EXTRA_CA_CERTS and, with
 * --use-system-ca, the system store (tls.getCACertificates('default'), Node ≥ 22.15). On older
 * Node, the bundled roots only.
 */
function defaultCaCertificates(): readonly string[] {
  const get = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  return typeof get === 'function' ? get('default') : tls.rootCertificates;
}

/** The PEM text of --tls-ca: at least one certificate, else ERR_SMTP_CONFIG (never a silent no-op). */
export function checkCa(pem: string | Buffer): string {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
    throw configError(
      'the TLS CA file holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate in PEM form',
    );
  }
  return text;
}

function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_SMTP_CONFIG', message);
}
