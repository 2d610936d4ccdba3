import { defineRule } from '../inspect-types.ts';
import { scanProblemHits } from '../rule-helpers.ts';

// RFC 5545 §3.1: contentline = name *(";" param) ":" value CRLF, with names made of letters,
// digits and "-", and parameter values quoted when they contain ":", ";" or ",". A line that does
// not parse (no ":", an unclosed quote, a continuation line with nothing to continue) is dropped
// by lenient clients, losing whatever it carried; ical.js throws "invalid line" and reads nothing.
// Lines outside any component are text-outside-calendar's, not this rule's.
export const malformedLine = defineRule({
  id: 'malformed-line',
  category: 'syntax',
  severity: 'error',
  summary: 'A content line does not parse as name;params:value.',
  fix: 'Write every line as NAME;PARAM=value:value, quote parameter values containing : ; or , and fold with CRLF + one space.',
  source: 'RFC 5545 §3.1',
  check: (context) => scanProblemHits(context, 'malformed-line'),
});
