/** The syntax rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';
import { bareLf } from './bare-lf.ts';
import { controlCharacter } from './control-character.ts';
import { duplicateProperty } from './duplicate-property.ts';
import { emptyLine } from './empty-line.ts';
import { invalidDateValue } from './invalid-date-value.ts';
import { invalidUtf8 } from './invalid-utf8.ts';
import { lineTooLong } from './line-too-long.ts';
import { malformedLine } from './malformed-line.ts';
import { missingFinalCrlf } from './missing-final-crlf.ts';
import { nestingTooDeep } from './nesting-too-deep.ts';
import { noVcalendar } from './no-vcalendar.ts';
import { textOutsideCalendar } from './text-outside-calendar.ts';
import { unbalancedComponent } from './unbalanced-component.ts';
import { unescapedText } from './unescaped-text.ts';

// From the whole object down: is there a calendar, are its bytes and lines sound, does it parse
// into components, do its properties and values follow RFC 5545.
export const SYNTAX_RULES: readonly Rule[] = [
  noVcalendar,
  invalidUtf8,
  controlCharacter,
  bareLf,
  missingFinalCrlf,
  lineTooLong,
  emptyLine,
  malformedLine,
  textOutsideCalendar,
  unbalancedComponent,
  nestingTooDeep,
  duplicateProperty,
  invalidDateValue,
  unescapedText,
];
