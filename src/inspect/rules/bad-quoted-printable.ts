import { defineRule } from '../inspect-types.ts';
import { calendarBearingNodes, problemHits } from '../mime-rule-support.ts';

// RFC 2045 §6.7: in quoted-printable "=" only starts "=XX" (two upper-case hex digits) or a soft
// line break; a literal "=" must be written "=3D". An unencoded "=" shows the part was never
// really encoded: readers keep a stray "=" or drop it, and where hex digits follow they silently
// turn "=" and the next two characters into another octet ("?id=C0FFEE" becomes "?id" + 0xC0 +
// "FFEE"), so a calendar can reach each client differently. An error for calendar parts, a warning
// for other parts (body text only).
export const badQuotedPrintable = defineRule({
  id: 'bad-quoted-printable',
  category: 'mime',
  severity: 'warning',
  summary:
    'A quoted-printable part has "=" not followed by two hex digits or a line break (error for calendar parts).',
  fix: 'Encode the part with a real quoted-printable encoder ("=" becomes "=3D"), or send the calendar as base64.',
  source: 'RFC 2045 §6.7',
  check(context) {
    const calendars = calendarBearingNodes(context);
    return problemHits(context, {
      codes: ['bad-quoted-printable'],
      severity: (node) => (calendars.has(node) ? 'error' : 'warning'),
    });
  },
});
