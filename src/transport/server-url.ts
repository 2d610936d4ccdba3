/**
 * Pieces of the server URLs we accept (smtp:, smtps:, imap:, imaps:): host, port and %-decoding,
 * with the same rules and messages for both protocols. No library: node:net and node:url only.
 */
import net from 'node:net';
import { domainToASCII } from 'node:url';
import type { SmtpInviteError } from '../errors.ts';

type Fail = (message: string) => SmtpInviteError;

/**
 * The host of a parsed non-special URL (smtp:, imap:) as a lower-case ASCII host name or an IPv6
 * address without brackets; undefined when it is not a host name or IP address.
 */
export function normalizeUrlHost(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) {
    const inner = hostname.slice(1, -1).toLowerCase();
    if (net.isIPv6(inner)) return inner;
  }
  // Such a scheme is not a "special" URL scheme, so the host is left as written, percent-encoded
  // where not ASCII: decode it and let domainToASCII apply IDNA (and refuse what is not a host).
  let decoded: string;
  try {
    decoded = decodeURIComponent(hostname);
  } catch {
    decoded = '';
  }
  const ascii = decoded === '' ? '' : domainToASCII(decoded);
  if (
    ascii === '' ||
    !/^[a-z0-9._-]+$/.test(ascii) ||
    ascii.startsWith('.') ||
    ascii.includes('..')
  ) {
    return undefined;
  }
  return ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address) and `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(.+)$/.exec(h)?.[1];
    if (mapped === undefined) return false;
    // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
    return net.isIPv4(mapped) ? mapped.startsWith('127.') : /^7f[0-9a-f]{2}:/.test(mapped);
  }
  return false;
}

/** The URL's port, or the protocol's default; a port outside 1–65535 is refused. */
export function parseUrlPort(text: string, fallback: number, label: string, fail: Fail): number {
  if (text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw fail(`port ${text} in the ${label} URL is not valid: use a port from 1 to 65535`);
  }
  return port;
}

/** A %-encoded URL part (user, password, mailbox), or a clear error for a broken escape. */
export function decodeUrlComponent(value: string, what: string, label: string, fail: Fail): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw fail(
      `the ${what} in the ${label} URL has a broken %-escape: percent-encode special characters (e.g. @ as %40)`,
    );
  }
}
