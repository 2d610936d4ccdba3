import { componentsNamed, paramValue, propertiesNamed, type Component } from '../calendar-model.ts';
import { unescapeText } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.6.5: a VTIMEZONE "MUST include the TZID property and at least one definition of a
// STANDARD or DAYLIGHT sub-component", and each of those "MUST include the DTSTART, TZOFFSETFROM,
// and TZOFFSETTO properties"; offsets are ("+"/"-") hhmm[ss] (§3.3.14). Without them the zone has
// no offsets to apply: for a missing TZOFFSETTO Outlook approximates or ignores the offset
// ([MS-STANOICAL] V0152) and Exchange refuses the whole object ([MS-STANXICAL] V0145), so times
// that refer to the zone are shown wrong. The Outlook effect is given only when a time refers to
// the zone and something is missing (a malformed offset alone Outlook approximates, V0153). This
// rule owns these rows of the RFC 5546 §3.1.2 table (itip-presence leaves them out).
const MAX_HITS = 20;
const MAX_LISTED = 5;
const OFFSET = /^[+-]([01]\d|2[0-3])[0-5]\d([0-5]\d)?$/;

export const vtimezoneUnusable = defineRule({
  id: 'vtimezone-unusable',
  category: 'icalendar',
  severity: 'error',
  summary:
    'A VTIMEZONE lacks TZID, STANDARD/DAYLIGHT rules, or a rule lacks DTSTART/TZOFFSETFROM/TZOFFSETTO or a valid offset.',
  fix: 'Emit complete VTIMEZONEs (TZID, and STANDARD/DAYLIGHT each with DTSTART, TZOFFSETFROM, TZOFFSETTO), e.g. from the IANA database.',
  source: 'RFC 5545 §3.6.5, §3.3.14; [MS-STANOICAL] V0152; [MS-STANXICAL] V0145',
  effects: [{ client: 'outlook', outcome: 'degraded' }],
  *check(context) {
    const part = context.primary;
    const vcalendar = part?.vcalendar;
    if (part === undefined || vcalendar === undefined) return;
    const zones = componentsNamed(vcalendar, 'VTIMEZONE');
    if (zones.length === 0) return;
    const used = referencedTzids(vcalendar);
    let emitted = 0;
    for (const [index, zone] of zones.entries()) {
      const { problems, structural } = problemsOf(zone);
      if (problems.length === 0) continue;
      if (emitted === MAX_HITS) {
        yield { message: '…and more unusable VTIMEZONEs', path: part.path };
        return;
      }
      emitted++;
      const tzidLine = propertiesNamed(zone, 'TZID')[0];
      const tzid = tzidLine === undefined ? undefined : unescapeText(tzidLine.value);
      const referenced = tzid !== undefined && (used.has(tzid) || used.has(tzid.trim()));
      const listed =
        problems.length > MAX_LISTED
          ? [...problems.slice(0, MAX_LISTED), `…and ${problems.length - MAX_LISTED} more`]
          : problems;
      yield {
        message: `VTIMEZONE${tzid === undefined ? '' : ` "${tzid}"`}: ${listed.join('; ')}${referenced ? '' : ' (no time refers to it)'}`,
        path: `${part.path}/VTIMEZONE[${index}]`,
        line: zone.line,
        ...(referenced && structural ? {} : { effects: [] }),
      };
    }
  },
});

/** `structural`: something is missing (not only a malformed offset, which Outlook approximates). */
function problemsOf(zone: Component): { problems: string[]; structural: boolean } {
  const problems: string[] = [];
  let offsetProblems = 0;
  if (propertiesNamed(zone, 'TZID').length === 0) problems.push('no TZID');
  const rules = zone.components.filter((c) => c.name === 'STANDARD' || c.name === 'DAYLIGHT');
  if (rules.length === 0) problems.push('no STANDARD or DAYLIGHT sub-component');
  for (const rule of rules) {
    const missing = ['DTSTART', 'TZOFFSETFROM', 'TZOFFSETTO'].filter(
      (name) => propertiesNamed(rule, name).length === 0,
    );
    if (missing.length > 0)
      problems.push(`${rule.name} (line ${rule.line}) has no ${missing.join(', ')}`);
    for (const name of ['TZOFFSETFROM', 'TZOFFSETTO']) {
      const value = propertiesNamed(rule, name)[0]?.value.trim();
      if (value !== undefined && !OFFSET.test(value)) {
        offsetProblems++;
        problems.push(`${rule.name} (line ${rule.line}) ${name} "${value}" is not an offset`);
      }
    }
  }
  return { problems, structural: problems.length > offsetProblems };
}

function referencedTzids(vcalendar: Component): Set<string> {
  const used = new Set<string>();
  const walk = (component: Component) => {
    for (const line of component.properties) {
      const tzid = paramValue(line, 'TZID');
      if (tzid !== undefined) {
        used.add(tzid);
        used.add(tzid.trim());
      }
    }
    for (const sub of component.components) walk(sub);
  };
  walk(vcalendar);
  return used;
}
