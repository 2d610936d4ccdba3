import { defineRule } from '../inspect-types.ts';
import { problemHits } from '../mime-rule-support.ts';

// RFC 2045 §2.7, §6.2: a 7bit body (declared, or by default when there is no
// Content-Transfer-Encoding) holds US-ASCII only. 8-bit octets there are unlabelled 8bit data:
// a relay without 8BITMIME may strip the high bit or bounce the message (RFC 6152), and signing or
// re-encoding gateways may change it. Most clients still read it, so this is a warning.
export const eightBitInSevenBit = defineRule({
  id: 'eight-bit-in-seven-bit',
  category: 'mime',
  severity: 'warning',
  summary: 'A part declared (or defaulting to) 7bit contains 8-bit octets: relays may mangle it.',
  fix: 'Declare Content-Transfer-Encoding: 8bit, or better encode non-ASCII parts as base64 or quoted-printable.',
  source: 'RFC 2045 §2.7, §6.2; RFC 6152',
  check(context) {
    return problemHits(context, { codes: ['eight-bit-in-seven-bit'], severity: () => 'warning' });
  },
});
