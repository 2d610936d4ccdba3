/**
 * Hostile text is accepted and made harmless, never rejected for its characters. The builders escape
 * what remains (RFC 5545 §3.3.11 TEXT, RFC 6868 parameters, RFC 2047 headers); what we remove here is
 * what no escaping can carry safely: line breaks in single-line fields, and control characters that
 * RFC 5545 §3.1 (CONTROL) forbids in any content line.
 */

// C0 controls except HTAB and LF, plus DEL. LF is handled separately by each sanitiser.
const CONTROLS_EXCEPT_TAB_LF = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
// Anything that a client could render as a line break. U+2028/2029 are not line breaks in iCalendar,
// but JavaScript and several mail clients treat them as such, so single-line fields drop them too.
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085]/g;

/** A field that must stay on one line (summary, location, names): CR/LF and controls become spaces. */
export function sanitizeSingleLine(value: string): string {
  return value
    .toWellFormed()
    .replace(LINE_BREAKS, ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROLS_EXCEPT_TAB_LF, ' ');
}

/**
 * A multi-line field (description, HTML): every line break becomes `\n` (the builder writes it as the
 * `\n` escape, RFC 5545 §3.3.11); other controls become spaces; tabs are kept (HTAB is allowed).
 */
export function sanitizeMultiLine(value: string): string {
  return value.toWellFormed().replace(/\r\n?/g, '\n').replace(CONTROLS_EXCEPT_TAB_LF, ' ');
}

/** UTF-8 octets of a string, without allocating a buffer. */
export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
