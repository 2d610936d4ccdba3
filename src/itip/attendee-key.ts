/**
 * Attendees are matched by address, case-insensitively (RFC 5545 §3.3.3 leaves CAL-ADDRESS
 * comparison to the scheme; every client we meet compares mail addresses without case), with or
 * without a `mailto:` prefix.
 */
export function attendeeKey(address: string): string {
  return address
    .trim()
    .replace(/^mailto:/i, '')
    .toLowerCase();
}
