import { componentsNamed, paramValue, type Component } from '../calendar-model.ts';
import { unescapeText } from '../calendar-value-checks.ts';
import { defineRule, type RuleEffect } from '../inspect-types.ts';
import { resolveTzid } from '../windows-zones.ts';

// RFC 5545 §3.2.19: "An individual VTIMEZONE calendar component MUST be specified for each unique
// TZID parameter value specified in the iCalendar object" (RFC 5546's tables repeat it: "MUST be
// present if any date/time refers to a timezone"; this rule owns that comment). Without it a client
// can only guess the zone from its name: Outlook does not, and shows the time shifted (it takes it
// as UTC or a made-up offset: nextcloud/calendar#4429, Drupal addtocal_augment#3252918); Gmail
// and Apple Calendar look IANA names up. When the name is not a zone anyone knows, every client
// shows a wrong or floating time.
const MAX_HITS = 20;

export const tzidWithoutVtimezone = defineRule({
  id: 'tzid-without-vtimezone',
  category: 'icalendar',
  severity: 'error',
  summary: 'A TZID= parameter names a time zone that has no VTIMEZONE in the calendar.',
  fix: 'Add a VTIMEZONE with that TZID (with STANDARD/DAYLIGHT rules), or write the times in UTC (…Z).',
  source: 'RFC 5545 §3.2.19; RFC 5546 §3.2 (VTIMEZONE rows); nextcloud/calendar#4429',
  effects: [{ client: 'outlook', outcome: 'degraded' }],
  *check(context) {
    const part = context.primary;
    const vcalendar = part?.vcalendar;
    if (part === undefined || vcalendar === undefined) return;
    const defined = new Set<string>();
    for (const vtimezone of componentsNamed(vcalendar, 'VTIMEZONE')) {
      for (const line of vtimezone.properties) {
        if (line.name !== 'TZID') continue;
        const tzid = unescapeText(line.value);
        defined.add(tzid);
        defined.add(tzid.trim());
      }
    }
    const missing = new Map<string, { line: number; uses: number }>();
    const walk = (component: Component) => {
      for (const line of component.properties) {
        const tzid = paramValue(line, 'TZID');
        if (tzid === undefined || defined.has(tzid) || defined.has(tzid.trim())) continue;
        const seen = missing.get(tzid);
        if (seen === undefined) missing.set(tzid, { line: line.line, uses: 1 });
        else seen.uses++;
      }
      for (const sub of component.components) walk(sub);
    };
    walk(vcalendar);
    let emitted = 0;
    for (const [tzid, { line, uses }] of missing) {
      if (emitted === MAX_HITS) {
        yield {
          message: `…and ${missing.size - MAX_HITS} more TZIDs without a VTIMEZONE`,
          path: part.path,
        };
        return;
      }
      emitted++;
      const zone = resolveTzid(tzid);
      const guess =
        zone === undefined
          ? 'no client can tell which zone it is'
          : zone.kind === 'iana'
            ? 'clients that know IANA names can still resolve it'
            : `it looks like ${zone.iana}`;
      yield {
        message: `TZID "${tzid}" (used ${uses}×) has no VTIMEZONE; ${guess}`,
        path: `${part.path}/VTIMEZONE`,
        line,
        ...(zone === undefined ? { effects: EVERYONE_GUESSES } : {}),
      };
    }
  },
});

const EVERYONE_GUESSES: readonly RuleEffect[] = [
  { client: 'outlook', outcome: 'degraded' },
  { client: 'gmail', outcome: 'degraded' },
  { client: 'apple', outcome: 'degraded' },
  { client: 'thunderbird', outcome: 'degraded' },
];
