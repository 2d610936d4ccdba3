import { defineRule } from '../inspect-types.ts';
import { problemHits } from '../mime-rule-support.ts';

// RFC 5322 §2.2 / §3.6 and RFC 2045 §5, §6: header fields are `name: value` lines ended by an
// empty line; Content-Type, Content-Transfer-Encoding and Content-Disposition must be well formed
// and appear once. Lines the reader could not use were skipped, and clients skip or read them
// differently (which duplicate Content-Type wins, where a header section without its empty line
// ends): the part may not be what the sender meant. An mbox "From " separator line before the
// first header is not reported: it is how mailboxes store messages, not part of the message sent.
export const invalidMimeHeader = defineRule({
  id: 'invalid-mime-header',
  category: 'mime',
  severity: 'warning',
  summary:
    'A header section has lines that are not valid header fields, repeated or malformed MIME fields, or no empty line before the body.',
  fix: 'Write each header as "Name: value" (folded lines start with a space), MIME fields once each, and an empty line before the body.',
  source: 'RFC 5322 §2.2, §3.6; RFC 2045 §5, §6',
  check(context) {
    return problemHits(context, {
      codes: ['invalid-header', 'no-header-separator'],
      severity: () => 'warning',
      skip: (node, problem) =>
        node.path === '' && problem.message.startsWith('mbox separator line'),
    });
  },
});
