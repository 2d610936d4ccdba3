import { defineRule } from '../inspect-types.ts';
import { sameCalendar } from '../rule-helpers.ts';

// Gmail's layout carries the calendar twice (inline and application/ics). Clients pick different
// copies — Outlook the inline part, Gmail and Apple Mail the attachment — so copies that differ
// make clients disagree about the event.
export const calendarCopiesDiffer = defineRule({
  id: 'calendar-copies-differ',
  category: 'mime',
  severity: 'error',
  summary:
    'The inline calendar and its attached copy differ: clients that read different copies disagree.',
  fix: 'Attach exactly the bytes of the inline text/calendar part (or no copy at all).',
  source: 'RFC 6047 §2.4 (one iCalendar object per message); CalConnect iMIP guide',
  effects: [
    { client: 'gmail', outcome: 'degraded' },
    { client: 'apple', outcome: 'degraded' },
  ],
  *check(context) {
    const primary = context.primary;
    if (primary === undefined) return;
    for (const part of context.calendarParts) {
      if (part === primary || sameCalendar(part.text, primary.text)) continue;
      yield {
        message: `calendar part ${part.path} differs from ${primary.path}${describeDifference(primary, part)}`,
        path: part.path,
      };
    }
  },
});

function describeDifference(
  a: {
    events: readonly { uid?: string; sequence?: number }[];
    calendarMethod?: string;
    text: string;
  },
  b: typeof a,
): string {
  const differences: string[] = [];
  if (a.calendarMethod !== b.calendarMethod)
    differences.push(`METHOD ${a.calendarMethod ?? '-'} vs ${b.calendarMethod ?? '-'}`);
  if (a.events[0]?.uid !== b.events[0]?.uid) differences.push('UID');
  if (a.events[0]?.sequence !== b.events[0]?.sequence) differences.push('SEQUENCE');
  if (differences.length === 0) {
    const property = firstDifferingProperty(a.text, b.text);
    if (property !== undefined) differences.push(`first difference in ${property}`);
  }
  return differences.length === 0 ? '' : ` (${differences.join(', ')})`;
}

/** Name of the first unfolded content line that differs, e.g. ORGANIZER. */
function firstDifferingProperty(a: string, b: string): string | undefined {
  const lines = (s: string) =>
    s
      .replace(/\r\n?/g, '\n')
      .replace(/\n[ \t]/g, '')
      .trim()
      .split('\n');
  const [x, y] = [lines(a), lines(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return /^[A-Za-z0-9-]+/.exec(x[i] ?? y[i] ?? '')?.[0]?.toUpperCase();
  }
  return undefined;
}
