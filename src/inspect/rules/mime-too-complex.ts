import { defineRule } from '../inspect-types.ts';
import { problemHits } from '../mime-rule-support.ts';

// The MIME reader stops opening containers more than 20 levels deep and stops reading after 500
// parts (parse-mime-tree.ts DEFAULT_MIME_LIMITS), far beyond any invitation a calendar system
// sends: such a message is a mail loop, a bomb or a mangled forward. Parts beyond the limit were
// not inspected at all, so a calendar there would go unseen (and the verdicts may be wrong); mail
// systems apply similar limits of their own and may refuse or truncate the message.
export const mimeTooComplex = defineRule({
  id: 'mime-too-complex',
  category: 'mime',
  severity: 'error',
  summary:
    'The MIME structure is nested too deep or has too many parts: the parts beyond the limit were not read.',
  fix: 'Send the invitation as a flat multipart/alternative (or mixed) message, not nested inside forwards.',
  source: 'RFC 2046 §5.1 (nesting); smtp-invite reader limits (20 levels, 500 parts)',
  check(context) {
    return problemHits(context, {
      codes: ['too-deep', 'too-many-parts'],
      severity: () => 'error',
    });
  },
});
