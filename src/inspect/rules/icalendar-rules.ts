/** The icalendar rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';
import { dtendAndDuration } from './dtend-and-duration.ts';
import { endNotAfterStart } from './end-not-after-start.ts';
import { floatingTime } from './floating-time.ts';
import { invalidRrule } from './invalid-rrule.ts';
import { itipPresence } from './itip-presence.ts';
import { missingMethod } from './missing-method.ts';
import { mixedDateTypes } from './mixed-date-types.ts';
import { noEvent } from './no-event.ts';
import { tzidWithoutVtimezone } from './tzid-without-vtimezone.ts';
import { unknownMethod } from './unknown-method.ts';
import { vtimezoneUnusable } from './vtimezone-unusable.ts';
import { windowsTzid } from './windows-tzid.ts';

export const ICALENDAR_RULES: readonly Rule[] = [
  // RFC 5546 (iTIP)
  missingMethod,
  unknownMethod,
  noEvent,
  itipPresence,
  // RFC 5545: time zones
  tzidWithoutVtimezone,
  vtimezoneUnusable,
  windowsTzid,
  floatingTime,
  // RFC 5545: start, end, recurrence
  dtendAndDuration,
  mixedDateTypes,
  endNotAfterStart,
  invalidRrule,
];
