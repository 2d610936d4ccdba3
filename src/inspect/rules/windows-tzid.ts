import { componentsNamed, paramValue, type Component } from '../calendar-model.ts';
import { unescapeText } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';
import { resolveTzid } from '../windows-zones.ts';

// Outlook and Exchange name zones the Windows way ("W. Europe Standard Time", [MS-OXCICAL]
// §2.1.3.2.1 takes TZID from the Windows time zone description). RFC 5545 §3.2.19 allows any TZID
// text, and the VTIMEZONE that comes with it defines the offsets, so this is only a note: clients
// that look zones up by name (Google, Apple) need the VTIMEZONE or a mapping such as CLDR's
// windowsZones (which resolveTzid uses to say which IANA zone is meant). A missing VTIMEZONE is
// tzid-without-vtimezone's finding.
const MAX_HITS = 20;
// Distinct names looked up at most: a hostile calendar with 100k distinct TZIDs stays cheap.
const MAX_NAMES = 200;

export const windowsTzid = defineRule({
  id: 'windows-tzid',
  category: 'icalendar',
  severity: 'info',
  summary: 'A TZID is a Windows zone name (Outlook style); other clients rely on its VTIMEZONE.',
  fix: 'Prefer IANA zone names (Europe/Berlin) with a matching VTIMEZONE; keep the VTIMEZONE if you keep the Windows name.',
  source: 'RFC 5545 §3.2.19; [MS-OXCICAL] §2.1.3.2.1; CLDR windowsZones',
  *check(context) {
    const part = context.primary;
    const vcalendar = part?.vcalendar;
    if (part === undefined || vcalendar === undefined) return;
    const found = new Map<string, number>();
    const note = (tzid: string, line: number) => {
      if (!found.has(tzid) && found.size < MAX_NAMES) found.set(tzid, line);
    };
    for (const vtimezone of componentsNamed(vcalendar, 'VTIMEZONE')) {
      for (const line of vtimezone.properties)
        if (line.name === 'TZID') note(unescapeText(line.value).trim(), line.line);
    }
    const walk = (component: Component) => {
      for (const line of component.properties) {
        const tzid = paramValue(line, 'TZID');
        if (tzid !== undefined) note(tzid.trim(), line.line);
      }
      for (const sub of component.components) walk(sub);
    };
    walk(vcalendar);
    let emitted = 0;
    for (const [tzid, line] of found) {
      const zone = resolveTzid(tzid);
      if (zone?.kind !== 'windows') continue;
      if (emitted === MAX_HITS) {
        yield { message: '…and more Windows zone names', path: part.path };
        return;
      }
      emitted++;
      yield {
        message: `TZID "${tzid}" is a Windows zone name (${zone.iana} in IANA terms)`,
        path: `${part.path}/VTIMEZONE`,
        line,
      };
    }
  },
});
