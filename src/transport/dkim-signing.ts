/**
 * DKIM signatures (RFC 6376) on every message a transport sends. CONTRACT — implemented by the
 * DKIM work (issue 6 part 1); the types are fixed so that the CLI can be written against them.
 */
import { SmtpInviteError } from '../errors.ts';
import type { Transport } from './transport.ts';

export interface DkimOptions {
  /** The signing domain (d=), e.g. example.com. */
  readonly domainName: string;
  /** The selector (s=): the public key is published at <selector>._domainkey.<domain>. */
  readonly keySelector: string;
  /** PEM private key (RSA, at least 1024 bits; 2048 recommended; or Ed25519). */
  readonly privateKey: string;
}

/**
 * A transport that DKIM-signs each message (prepends DKIM-Signature) before the inner transport
 * sends or writes it. Throws ERR_CONFIG at once for a bad key, domain or selector.
 */
export function withDkimSigning(transport: Transport, options: DkimOptions): Transport {
  void transport;
  void options;
  throw new SmtpInviteError('ERR_INTERNAL', 'withDkimSigning is not implemented yet');
}
