import { lineAtOffset } from '../calendar-utf8.ts';
import { defineRule } from '../inspect-types.ts';

// RFC 5545 §3.1.4: "The "charset" Content-Type parameter MUST be used in MIME transports"; RFC 6047
// §2.4 requires it whenever the calendar holds non-US-ASCII characters, because a text/* part
// without one is US-ASCII by default (RFC 2046 §4.1.2). Readers then guess: Outlook reads the
// octets in the Windows code page, so "Zürich" shows as "ZÃ¼rich"; Gmail, Apple and Thunderbird
// guess UTF-8. An error (a violated MUST), reported only when the calendar really has non-ASCII
// text: a pure ASCII calendar reads the same in any charset. Only text/* parts (application/ics
// has no charset default) and only valid UTF-8: octets that are not UTF-8 in a part without
// charset are the syntax batch's invalid-utf8 finding (see invalid-charset for the split).
export const charsetMissing = defineRule({
  id: 'charset-missing',
  category: 'mime',
  severity: 'error',
  summary:
    'The calendar part has non-ASCII text but no charset= parameter: Outlook reads it in the Windows code page (mojibake).',
  fix: 'Send Content-Type: text/calendar; method=…; charset=UTF-8.',
  source: 'RFC 5545 §3.1.4; RFC 6047 §2.4; RFC 2046 §4.1.2',
  effects: [{ client: 'outlook', outcome: 'degraded' }],
  *check(context) {
    const part = context.primary;
    if (context.kind !== 'message' || part === undefined) return;
    if (!part.contentType.startsWith('text/')) return;
    if (part.charset !== undefined && part.charset.trim() !== '') return;
    if (part.charsetProblem !== undefined) return;
    const offset = firstNonAscii(part.bytes);
    if (offset === -1) return;
    const line = lineAtOffset(part.bytes, offset);
    yield {
      message: `the ${part.contentType} part ${part.path} has no charset= parameter but contains non-ASCII text (first on line ${line}); readers that apply the US-ASCII default show it garbled`,
      path: part.path,
      line,
    };
  },
});

/** Offset of the first octet above 0x7F, a leading UTF-8 BOM aside (it is no text); -1 if none. */
function firstNonAscii(bytes: Buffer): number {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = start; i < bytes.length; i++) if ((bytes[i] ?? 0) > 0x7f) return i;
  return -1;
}
