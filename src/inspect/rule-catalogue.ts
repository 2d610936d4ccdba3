/**
 * Every rule, in the order they run and are documented. A rule's id equals its file name; ids are
 * stable forever (users --ignore them, fixtures list them).
 */
import type { Rule } from './inspect-types.ts';
import { calendarCopiesDiffer } from './rules/calendar-copies-differ.ts';
import { calendarOnlyAttachment } from './rules/calendar-only-attachment.ts';
import { cdoSequenceMismatch } from './rules/cdo-sequence-mismatch.ts';
import { dtstampNotUtc } from './rules/dtstamp-not-utc.ts';
import { methodParamMismatch } from './rules/method-param-mismatch.ts';
import { methodParamMissing } from './rules/method-param-missing.ts';
import { methodParamUnsupported } from './rules/method-param-unsupported.ts';
import { noCalendarPart } from './rules/no-calendar-part.ts';
import { noOrganizer } from './rules/no-organizer.ts';
import { CLIENT_RULES } from './rules/client-rules.ts';
import { ICALENDAR_RULES } from './rules/icalendar-rules.ts';
import { MIME_RULES } from './rules/mime-rules.ts';
import { SYNTAX_RULES } from './rules/syntax-rules.ts';

export const RULES: readonly Rule[] = [
  // MIME
  noCalendarPart,
  calendarOnlyAttachment,
  methodParamMissing,
  methodParamMismatch,
  methodParamUnsupported,
  calendarCopiesDiffer,
  ...MIME_RULES,
  // iCalendar syntax
  ...SYNTAX_RULES,
  // RFC 5545 / 5546
  dtstampNotUtc,
  ...ICALENDAR_RULES,
  // Client behaviour
  noOrganizer,
  cdoSequenceMismatch,
  ...CLIENT_RULES,
];

/** Ids the engine itself can report (not rules: input and engine conditions). */
export const ENGINE_FINDINGS = ['input-too-large', 'time-limit', 'internal-error'] as const;
