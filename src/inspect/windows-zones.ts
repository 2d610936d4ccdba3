/**
 * TZID → IANA zone, for calendars that name zones their own way. The only module importing
 * windows-iana (CLDR's windowsZones table, maintained upstream). Outlook writes Windows names
 * ("W. Europe Standard Time") with its own VTIMEZONE; Google and Apple expect IANA names; old
 * Mozilla/tzurl exports prefix them ("/mozilla.org/20050126_1/Europe/Berlin").
 */
import { findIana } from 'windows-iana';
import { canonicalTimeZone } from '../model/parse-time.ts';

export interface ResolvedZone {
  readonly iana: string;
  readonly kind: 'iana' | 'windows' | 'prefixed';
}

// windows-iana searches its table linearly; the same few TZIDs recur in every calendar. Bounded,
// because TZIDs come from untrusted input.
const resolved = new Map<string, ResolvedZone | undefined>();
const RESOLVED_CACHE_SIZE = 1000;

export function resolveTzid(tzid: string): ResolvedZone | undefined {
  if (resolved.has(tzid)) return resolved.get(tzid);
  const zone = resolveUncached(tzid);
  if (resolved.size >= RESOLVED_CACHE_SIZE) resolved.clear();
  resolved.set(tzid, zone);
  return zone;
}

function resolveUncached(tzid: string): ResolvedZone | undefined {
  const name = tzid.trim();
  const iana = canonicalTimeZone(name);
  if (iana !== null) return { iana, kind: 'iana' };
  const windows = findIana(name)[0];
  if (windows !== undefined) return { iana: windows, kind: 'windows' };
  const segments = name.split('/').filter((s) => s !== '');
  for (const take of [3, 2]) {
    if (segments.length > take) {
      const candidate = canonicalTimeZone(segments.slice(-take).join('/'));
      if (candidate !== null) return { iana: candidate, kind: 'prefixed' };
    }
  }
  return undefined;
}
