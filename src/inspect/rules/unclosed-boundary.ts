import { defineRule } from '../inspect-types.ts';
import { problemHits } from '../mime-rule-support.ts';

// RFC 2046 §5.1.1: a multipart body ends with the close delimiter "--" boundary "--"; a body that
// lacks it (or has no delimiter line at all) was truncated or assembled wrongly. Clients differ on
// the last, unterminated part: some keep it, some drop it, and it is usually the one that matters
// (the text/calendar part is the last alternative). A multipart without a boundary parameter is
// missing-boundary's finding, not this one.
export const unclosedBoundary = defineRule({
  id: 'unclosed-boundary',
  category: 'mime',
  severity: 'error',
  summary:
    'A multipart body has no close delimiter (or no delimiter at all): the message is truncated and clients may drop the last part.',
  fix: 'End every multipart body with "--" + boundary + "--" on its own line, and check the message is not cut off.',
  source: 'RFC 2046 §5.1.1',
  check(context) {
    return problemHits(context, { codes: ['unclosed-boundary'], severity: () => 'error' });
  },
});
