/**
 * The mime rules, in documentation order (see rule-catalogue.ts).
 *
 * Every MimeProblem code the MIME reader (parse-mime-tree.ts) records is reported by exactly one
 * rule, or deliberately not at all:
 *   unclosed-boundary                → unclosed-boundary
 *   missing-boundary                 → missing-boundary
 *   too-deep, too-many-parts         → mime-too-complex
 *   invalid-header, no-header-separator → invalid-mime-header (an mbox "From " line excepted)
 *   unknown-transfer-encoding        → unknown-transfer-encoding
 *   bad-base64                       → bad-base64
 *   bad-quoted-printable             → bad-quoted-printable
 *   eight-bit-in-seven-bit           → eight-bit-in-seven-bit
 *   bare-lf                          → not reported. A message saved to disk (mbox, Maildir, an
 *     .eml from a client or a test suite) is routinely converted to the platform's LF line ends,
 *     and SMTP canonicalises line endings in transit (RFC 5321 §2.3.8: CRLF on the wire), so bare
 *     LFs in the file say nothing about the message as sent or as received. The reader accepts LF
 *     everywhere. (Line endings inside the calendar text are the syntax rule bare-lf's business;
 *     it judges message parts only when the file was evidently not converted.)
 *   internal-error                   → not reported by a rule: it means the reader itself failed
 *     (a bug, never expected), which is no property of the message and has no fixture to pin a
 *     rule to. The engine's own internal-error finding is the place for it.
 */
import type { Rule } from '../inspect-types.ts';
import { badBase64 } from './bad-base64.ts';
import { badQuotedPrintable } from './bad-quoted-printable.ts';
import { charsetMissing } from './charset-missing.ts';
import { eightBitInSevenBit } from './eight-bit-in-seven-bit.ts';
import { invalidCharset } from './invalid-charset.ts';
import { invalidMimeHeader } from './invalid-mime-header.ts';
import { mimeTooComplex } from './mime-too-complex.ts';
import { missingBoundary } from './missing-boundary.ts';
import { unclosedBoundary } from './unclosed-boundary.ts';
import { unknownTransferEncoding } from './unknown-transfer-encoding.ts';
import { winmailDat } from './winmail-dat.ts';

export const MIME_RULES: readonly Rule[] = [
  // Structure
  unclosedBoundary,
  missingBoundary,
  mimeTooComplex,
  invalidMimeHeader,
  // Transfer encodings
  unknownTransferEncoding,
  badBase64,
  badQuotedPrintable,
  eightBitInSevenBit,
  // Charsets
  charsetMissing,
  invalidCharset,
  // Outlook TNEF
  winmailDat,
];
