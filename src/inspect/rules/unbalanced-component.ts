import { defineRule } from '../inspect-types.ts';
import { scanProblemHits } from '../rule-helpers.ts';

// RFC 5545 §3.4 and §3.6: every BEGIN:<component> is closed by an END with the same name, nested
// properly. A missing END:VCALENDAR usually means the object was truncated (a size limit, a
// broken MIME part); a missing END:VALARM makes lenient parsers move the following properties
// into the alarm. The scanner closes components the way lenient clients do and reports each
// repair; ical.js rejects a missing END ("component began but did not end") and reads nothing.
export const unbalancedComponent = defineRule({
  id: 'unbalanced-component',
  category: 'syntax',
  severity: 'error',
  summary: 'BEGIN and END lines do not match (a missing, extra or crossed END).',
  fix: 'Close every BEGIN:X with END:X in the reverse order of opening; check that the calendar was not truncated.',
  source: 'RFC 5545 §3.4, §3.6',
  check: (context) => scanProblemHits(context, 'unbalanced-component'),
});
