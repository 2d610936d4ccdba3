import { defineRule } from '../inspect-types.ts';
import { scanProblemHits } from '../rule-helpers.ts';

// RFC 5545 §3.6 nests components three levels deep (VCALENDAR > VEVENT > VALARM; RFC 9073 adds
// VLOCATION and PARTICIPANT under VEVENT, RFC 9074 VALARM under those). A component nested beyond
// MAX_COMPONENT_DEPTH (32) is hostile or garbage (unbalanced BEGINs, a generator loop): the
// inspector ignores it up to its END, so nothing in it is checked, and clients' parsers may
// exhaust their stack on it.
export const nestingTooDeep = defineRule({
  id: 'nesting-too-deep',
  category: 'syntax',
  severity: 'error',
  summary: 'Components are nested more than 32 deep; the deepest ones were not read.',
  fix: 'Nest components only as RFC 5545 defines (VCALENDAR > VEVENT > VALARM); check the generator for unclosed BEGIN lines.',
  source: 'RFC 5545 §3.6',
  check: (context) => scanProblemHits(context, 'nesting-too-deep'),
});
