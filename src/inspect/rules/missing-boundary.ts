import { defineRule } from '../inspect-types.ts';
import { problemHits } from '../mime-rule-support.ts';

// RFC 2046 §5.1.1: the boundary parameter is required for every multipart type. Without it (or
// with an empty one) nothing in the body can be split into parts: readers show the raw body or
// nothing, and every part inside it, a calendar included, is lost. (A multipart that has a
// boundary but no close delimiter is unclosed-boundary's finding.)
export const missingBoundary = defineRule({
  id: 'missing-boundary',
  category: 'mime',
  severity: 'error',
  summary:
    'A multipart part has no (or an empty) boundary parameter: none of the parts inside it can be read.',
  fix: 'Give every multipart Content-Type a boundary="…" parameter that matches its delimiter lines.',
  source: 'RFC 2046 §5.1.1',
  check(context) {
    return problemHits(context, { codes: ['missing-boundary'], severity: () => 'error' });
  },
});
