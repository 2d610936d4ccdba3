import { lineAtOffset } from '../calendar-utf8.ts';
import { defineRule } from '../inspect-types.ts';

// RFC 2046 §4.1.2, RFC 6047 §2.4: the charset parameter names how the calendar's octets are to be
// read. An unknown name leaves every client guessing; octets that are not valid in the named
// charset come out as U+FFFD or wrong letters (names, summaries, locations), and an invalid
// sequence can make a strict reader reject the calendar. US-ASCII needs its own check: WHATWG
// decoders (and most clients) read "us-ascii" as windows-1252, so 8-bit octets under that label
// are silently turned into wrong letters (UTF-8 "ü" becomes "Ã¼").
//
// Split with the syntax batch's invalid-utf8: invalid-charset owns MIME parts WITH a charset
// parameter whose decoding failed (charset=UTF-8 included); invalid-utf8 owns standalone .ics
// files and parts with NO charset parameter (read as UTF-8). charset-missing covers the absent
// parameter when the text is valid UTF-8.
export const invalidCharset = defineRule({
  id: 'invalid-charset',
  category: 'mime',
  severity: 'error',
  summary:
    "The calendar part's charset is unknown or its octets are not valid in it: names and text arrive garbled.",
  fix: 'Encode the calendar as UTF-8 and label it charset=UTF-8.',
  source: 'RFC 2046 §4.1.2; RFC 6047 §2.4; RFC 5545 §3.1.4',
  *check(context) {
    const part = context.primary;
    if (context.kind !== 'message' || part === undefined) return;
    const label = part.charset?.trim() ?? '';
    if (label === '') return;
    if (part.charsetProblem !== undefined) {
      yield {
        message: `charset="${label}" of the ${part.contentType} part ${part.path}: ${part.charsetProblem}`,
        path: part.path,
      };
      return;
    }
    if (!US_ASCII_LABELS.has(label.toLowerCase())) return;
    const offset = part.bytes.findIndex((octet) => octet > 0x7f);
    if (offset === -1) return;
    const line = lineAtOffset(part.bytes, offset);
    yield {
      message: `the ${part.contentType} part ${part.path} is labelled charset="${label}" but contains 8-bit octets (first on line ${line}); clients read them as windows-1252`,
      path: part.path,
      line,
    };
  },
});

// IANA names and aliases of US-ASCII (the labels WHATWG maps to windows-1252 are a superset).
const US_ASCII_LABELS = new Set([
  'us-ascii',
  'ascii',
  'us',
  'ansi_x3.4-1968',
  'ansi_x3.4-1986',
  'iso-ir-6',
  'iso_646.irv:1991',
  'iso646-us',
  'ibm367',
  'cp367',
  'csascii',
]);
