import { componentsNamed, propertiesNamed, type Component } from '../calendar-model.ts';
import { AT_MOST_ONCE } from '../calendar-value-checks.ts';
import { defineRule, type RuleHit } from '../inspect-types.ts';
import { checkItipPresence, isItipMethod, type PresenceViolation } from '../itip-presence.ts';
import { methodOf } from '../rule-helpers.ts';

// RFC 5546 §3.1 and §3.2 give, for each iTIP method, how often every property and component MUST
// appear (the "restriction tables"). A message outside its method's table is not the iTIP message
// it claims to be: receivers may reject it or apply it wrongly. The tables do not distinguish
// SHOULD rows, so every violation is an error. checkItipPresence (itip-presence.ts) does the
// counting; this rule only leaves out what another rule owns, so a defect is reported once:
//   - a property repeated where RFC 5545 allows it once → duplicate-property (syntax batch);
//   - ORGANIZER missing where no-organizer fires (every method but PUBLISH) → no-organizer;
//   - DTEND together with DURATION → dtend-and-duration;
//   - METHOD missing → missing-method; no VEVENT at all (VTODO/VFREEBUSY-only) → no-event;
//   - a VTIMEZONE without TZID or STANDARD/DAYLIGHT, a rule without DTSTART/TZOFFSETFROM/
//     TZOFFSETTO → vtimezone-unusable;
//   - STATUS:CANCELLED in a REQUEST → request-status-cancelled (client batch);
//   - "VTIMEZONE MUST be present if any date/time refers to a timezone" → tzid-without-vtimezone
//     (checkItipPresence leaves that comment as data anyway).
// A standalone .ics with METHOD:PUBLISH is an export to import (Google, Apple and Exchange write
// them with ATTENDEEs and without ORGANIZER), not a message anyone schedules with: RFC 5545 governs
// it and the PUBLISH table is not applied. PUBLISH sent by email is checked.
const MAX_HITS = 20;

const VTIMEZONE_PARTS: Readonly<Record<string, ReadonlySet<string>>> = {
  VTIMEZONE: new Set(['TZID', 'STANDARD', 'DAYLIGHT']),
  STANDARD: new Set(['DTSTART', 'TZOFFSETFROM', 'TZOFFSETTO']),
  DAYLIGHT: new Set(['DTSTART', 'TZOFFSETFROM', 'TZOFFSETTO']),
};

const CALENDAR_COMPONENTS = new Set(['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY']);

export const itipPresence = defineRule({
  id: 'itip-presence',
  category: 'itip',
  severity: 'error',
  summary:
    "A property or component is missing, repeated or forbidden for the message's iTIP METHOD.",
  fix: 'Follow the RFC 5546 §3.2 table of the METHOD: add what is required, remove what is not allowed.',
  source: 'RFC 5546 §3.1, §3.2 (restriction tables, erratum 3932)',
  *check(context) {
    const part = context.primary;
    const method = methodOf(context);
    if (part?.vcalendar === undefined || method === undefined || !isItipMethod(method)) return;
    if (context.kind === 'calendar' && method === 'PUBLISH') return;
    const vcalendar = part.vcalendar;
    const located = locate(vcalendar, part.path);
    const hasEvent = componentsNamed(vcalendar, 'VEVENT').length > 0;
    const kept = checkItipPresence(method, vcalendar).filter(
      (v) => !ownedElsewhere(v, located.components.get(v.componentLine), hasEvent),
    );
    let emitted = 0;
    for (const violation of kept) {
      if (emitted === MAX_HITS) {
        yield {
          message: `…and ${kept.length - MAX_HITS} more ${method} restriction-table violations`,
          path: part.path,
        };
        return;
      }
      emitted++;
      yield hitOf(violation, located);
    }
  },
});

interface Located {
  readonly components: Map<number, Component>;
  readonly paths: Map<number, string>;
}

/** Components by BEGIN line, with their finding paths (`1.3/VEVENT[0]/VALARM[1]`). */
function locate(vcalendar: Component, partPath: string): Located {
  const components = new Map<number, Component>();
  const paths = new Map<number, string>();
  const walk = (component: Component, path: string) => {
    components.set(component.line, component);
    paths.set(component.line, path);
    const seen = new Map<string, number>();
    for (const sub of component.components) {
      const index = seen.get(sub.name) ?? 0;
      seen.set(sub.name, index + 1);
      walk(sub, `${path}/${sub.name}[${index}]`);
    }
  };
  walk(vcalendar, partPath);
  return { components, paths };
}

function ownedElsewhere(
  v: PresenceViolation,
  component: Component | undefined,
  hasEvent: boolean,
): boolean {
  if (v.found > 1 && AT_MOST_ONCE[v.component]?.has(v.name) === true) {
    // A count violation (not a comment check such as "all the same UID") of a property RFC 5545
    // allows once: duplicate-property reports it.
    const written = component === undefined ? 0 : propertiesNamed(component, v.name).length;
    if (written === v.found) return true;
  }
  if (v.found === 0) {
    if (v.component === 'VCALENDAR' && v.name === 'METHOD') return true;
    if (v.component === 'VEVENT' && v.name === 'ORGANIZER' && v.method !== 'PUBLISH') return true;
    if (VTIMEZONE_PARTS[v.component]?.has(v.name) === true) return true;
  }
  // Several RRULEs (RFC 5545: SHOULD NOT occur more than once): outlook-unsupported-recurrence
  // reports them, with Outlook's reaction.
  if (v.component === 'VEVENT' && v.name === 'RRULE' && v.found > 1) return true;
  if (v.component === 'VEVENT' && v.message.includes('must not have both DTEND and DURATION'))
    return true;
  if (
    v.method === 'REQUEST' &&
    v.component === 'VEVENT' &&
    v.name === 'STATUS' &&
    component !== undefined &&
    propertiesNamed(component, 'STATUS')[0]?.value.trim().toUpperCase() === 'CANCELLED'
  )
    return true;
  return !hasEvent && v.component === 'VCALENDAR' && CALENDAR_COMPONENTS.has(v.name);
}

function hitOf(v: PresenceViolation, located: Located): RuleHit {
  const component = located.components.get(v.componentLine);
  const base = located.paths.get(v.componentLine) ?? '';
  const property = component === undefined ? undefined : propertiesNamed(component, v.name)[0];
  const sub = component?.components.find((c) => c.name === v.name);
  return {
    message: v.message,
    path: `${base}/${v.name}`,
    line: property?.line ?? sub?.line ?? v.componentLine,
  };
}
