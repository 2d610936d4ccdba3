import { defineRule } from '../inspect-types.ts';
import { scanProblemHits } from '../rule-helpers.ts';

// RFC 5545 §3.1: an iCalendar object is a sequence of content lines, each `name … ":" value`; a
// blank line is not one. Lenient parsers (ical.js among them) skip it, but a blank line inside a
// folded value ends the fold early (the continuation then becomes a malformed line).
// Trailing blank lines after the last END:VCALENDAR are not reported: MIME encoders and editors
// leave them, and no client minds.
export const emptyLine = defineRule({
  id: 'empty-line',
  category: 'syntax',
  severity: 'warning',
  summary: 'A blank line inside the calendar.',
  fix: 'Remove blank lines; write a line break inside a TEXT value as \\n.',
  source: 'RFC 5545 §3.1',
  check: (context) => scanProblemHits(context, 'empty-line'),
});
