import { defineRule } from '../inspect-types.ts';
import { scanProblemHits } from '../rule-helpers.ts';

// RFC 5545 §3.1: property values are VALUE-CHAR (WSP / %x21-7E / NON-US-ASCII) and parameter
// values SAFE-CHAR or QSAFE-CHAR; CONTROL characters (%x00-08 / %x0A-1F / %x7F) are allowed
// nowhere but as the CRLF that ends a line. A NUL or an escape character typically comes from a
// database field or a Word paste copied into SUMMARY or DESCRIPTION unfiltered; strict parsers
// reject the line, lenient ones pass the byte on to the display.
export const controlCharacter = defineRule({
  id: 'control-character',
  category: 'syntax',
  severity: 'error',
  summary: 'A control character (other than HTAB) appears in a content line.',
  fix: 'Strip control characters from text before writing it; encode line breaks in TEXT values as \\n.',
  source: 'RFC 5545 §3.1',
  check: (context) => scanProblemHits(context, 'control-character'),
});
