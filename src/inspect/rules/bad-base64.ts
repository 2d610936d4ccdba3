import { defineRule } from '../inspect-types.ts';
import { calendarBearingNodes, problemHits } from '../mime-rule-support.ts';

// RFC 2045 §6.8: base64 data is the 65-character alphabet in 4-character groups, "=" padding only
// at the end; other characters "probably indicate a transmission error". Decoders differ on what
// they skip, stop at or reject, so the decoded bytes may differ from client to client, or be cut
// short. An error when the part is or contains a calendar part (the calendar may be damaged or
// dropped); a warning for other parts.
export const badBase64 = defineRule({
  id: 'bad-base64',
  category: 'mime',
  severity: 'error',
  summary:
    'A base64 part has characters outside the alphabet, wrong padding or a truncated group (error for calendar parts).',
  fix: 'Encode the part with a standard base64 encoder (76-character lines, "=" padding only at the end) and do not edit it afterwards.',
  source: 'RFC 2045 §6.8',
  check(context) {
    const calendars = calendarBearingNodes(context);
    return problemHits(context, {
      codes: ['bad-base64'],
      severity: (node) => (calendars.has(node) ? 'error' : 'warning'),
    });
  },
});
