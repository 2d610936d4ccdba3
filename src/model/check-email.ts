/**
 * Email addresses end up in three grammars at once: RFC 5321 envelopes, RFC 5322 headers and
 * RFC 5545 CAL-ADDRESS URIs (`mailto:`). We accept the intersection that is safe in all three without
 * quoting: an RFC 5322 dot-atom local part and an LDH host name. Quoted local parts, IP literals,
 * comments and non-ASCII (SMTPUTF8) addresses are refused with a message, not "fixed".
 */

// RFC 5322 §3.2.3 atext. None of these is special in an iCalendar value (no `;`, `,`, `:`, `"`, `\`).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Returns a problem description, or undefined when the address is acceptable. */
export function describeEmailProblem(address: string): string | undefined {
  if (address.length === 0) return 'is empty';
  if (/^mailto:/i.test(address)) return 'must be a bare address, without the "mailto:" prefix';
  if (/[^\x20-\x7e]/.test(address)) {
    return 'must be plain ASCII (internationalised addresses are not supported; use the punycode domain)';
  }
  if (/[<>]/.test(address))
    return 'must be a bare address like alice@example.com, without a name or <>';
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1)
    return 'is not an email address (expected local@domain)';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64) return 'has a local part longer than 64 characters (RFC 5321 §4.5.3.1.1)';
  if (!LOCAL_PART.test(local)) return `has an invalid local part "${local}"`;
  if (domain.length > 253) return 'has a domain longer than 253 characters';
  const labels = domain.split('.');
  if (labels.length < 2) return `has a domain without a dot ("${domain}")`;
  if (!labels.every((label) => LABEL.test(label))) return `has an invalid domain "${domain}"`;
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return `has a numeric top-level domain`;
  return undefined;
}

/** Addresses compare case-insensitively for duplicate detection (RFC 5321 allows case-sensitive
 * local parts, but every real mail system and calendar client folds case). */
export function emailKey(address: string): string {
  return address.toLowerCase();
}
