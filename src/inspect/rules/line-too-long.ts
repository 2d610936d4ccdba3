import { defineRule } from '../inspect-types.ts';
import { scanProblemHits } from '../rule-helpers.ts';

// RFC 5545 §3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break";
// longer content lines are folded. Clients read longer lines; the limit keeps a calendar intact
// through mail transport (RFC 5322 §2.1.1 caps lines at 998 octets) and line-based tools. Judged
// on the calendar as the client gets it: for a quoted-printable part, after the soft line breaks
// are undone (they are the encoding's, not iCalendar folding), so a long unfolded line is reported
// even though the wire lines were short. Octets are counted, so 75 characters with accented
// letters are too long (Google Calendar folds by characters).
export const lineTooLong = defineRule({
  id: 'line-too-long',
  category: 'syntax',
  severity: 'warning',
  summary: 'Calendar lines longer than 75 octets are not folded.',
  fix: 'Fold content lines at 75 octets (CRLF + one space), without splitting a UTF-8 character.',
  source: 'RFC 5545 §3.1',
  check: (context) => scanProblemHits(context, 'line-too-long'),
});
