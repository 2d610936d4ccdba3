import { MAX_PROBLEMS_PER_CODE } from '../calendar-problem-log.ts';
import { AT_MOST_ONCE } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';
import { componentsWithPaths } from '../rule-helpers.ts';

// RFC 5545 §3.6.1 (and §3.6, §3.6.2-3.6.6 for the other components): UID, DTSTAMP, DTSTART,
// SUMMARY, ORGANIZER, SEQUENCE, DTEND… "MUST NOT occur more than once". Clients disagree on which
// copy wins (the first, the last, or neither), so two DTSTARTs or two SEQUENCEs make them show
// different events or mis-order updates. The list is AT_MOST_ONCE (calendar-value-checks.ts).
// Coordination: itip-presence does not report counts above one for these names; this rule owns
// them.
export const duplicateProperty = defineRule({
  id: 'duplicate-property',
  category: 'syntax',
  severity: 'error',
  summary: 'A property that may appear only once in its component appears more than once.',
  fix: 'Write each of UID, DTSTAMP, DTSTART, DTEND, SUMMARY, ORGANIZER, SEQUENCE… at most once per component.',
  source: 'RFC 5545 §3.6.1-3.6.6; RFC 7986 §4',
  *check(context) {
    const part = context.primary;
    if (part?.vcalendar === undefined) return;
    let shown = 0;
    let more = 0;
    for (const { component, path } of componentsWithPaths(part.vcalendar, part.path)) {
      const once = AT_MOST_ONCE[component.name];
      if (once === undefined) continue;
      const lines = new Map<string, number[]>();
      for (const property of component.properties) {
        if (!once.has(property.name)) continue;
        const seen = lines.get(property.name);
        if (seen === undefined) lines.set(property.name, [property.line]);
        else seen.push(property.line);
      }
      for (const [name, at] of lines) {
        if (at.length < 2) continue;
        if (shown >= MAX_PROBLEMS_PER_CODE) {
          more++;
          continue;
        }
        shown++;
        yield {
          message: `${component.name} has ${at.length} ${name} properties (lines ${listLines(at)}); RFC 5545 allows one`,
          path: `${path}/${name}`,
          line: at[1] ?? component.line,
        };
      }
    }
    if (more > 0) {
      yield { message: `…and ${more} more duplicated properties not listed`, path: part.path };
    }
  },
});

function listLines(lines: readonly number[]): string {
  return lines.length > 5 ? `${lines.slice(0, 5).join(', ')}…` : lines.join(', ');
}
