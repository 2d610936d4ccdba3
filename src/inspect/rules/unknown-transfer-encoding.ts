import { defineRule } from '../inspect-types.ts';
import { calendarBearingNodes, problemHits } from '../mime-rule-support.ts';

// RFC 2045 §6.1, §6.4: Content-Transfer-Encoding is 7bit, 8bit, binary, quoted-printable or
// base64 (or a private x- token both ends agree on); a reader that meets any other value "must
// treat the entity as application/octet-stream", so a calendar part becomes an opaque file. An
// error when the part is or contains a calendar part; a warning for other parts (only that part's
// display suffers). Common causes: typos such as "7-bit" or "utf-8" written as the encoding.
export const unknownTransferEncoding = defineRule({
  id: 'unknown-transfer-encoding',
  category: 'mime',
  severity: 'error',
  summary:
    'Content-Transfer-Encoding is not 7bit, 8bit, binary, base64 or quoted-printable: readers must treat the part as an opaque file.',
  fix: 'Use Content-Transfer-Encoding: 7bit, 8bit, quoted-printable or base64 (base64 or quoted-printable for non-ASCII calendars).',
  source: 'RFC 2045 §6.1, §6.4',
  check(context) {
    const calendars = calendarBearingNodes(context);
    return problemHits(context, {
      codes: ['unknown-transfer-encoding'],
      severity: (node) => (calendars.has(node) ? 'error' : 'warning'),
    });
  },
});
