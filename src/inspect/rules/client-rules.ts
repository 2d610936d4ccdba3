/** The client rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';
import { attachLocalFile } from './attach-local-file.ts';
import { cancelStatusNotCancelled } from './cancel-status-not-cancelled.ts';
import { fromNotOrganizer } from './from-not-organizer.ts';
import { noPartstat } from './no-partstat.ts';
import { noRsvp } from './no-rsvp.ts';
import { organizerNotMailto } from './organizer-not-mailto.ts';
import { outlookUnsupportedRecurrence } from './outlook-unsupported-recurrence.ts';
import { recipientIsOrganizer } from './recipient-is-organizer.ts';
import { recipientNotAttendee } from './recipient-not-attendee.ts';
import { requestStatusCancelled } from './request-status-cancelled.ts';
import { sequenceNotIncreased } from './sequence-not-increased.ts';

export const CLIENT_RULES: readonly Rule[] = [
  recipientIsOrganizer,
  recipientNotAttendee,
  noRsvp,
  noPartstat,
  outlookUnsupportedRecurrence,
  requestStatusCancelled,
  cancelStatusNotCancelled,
  sequenceNotIncreased,
  organizerNotMailto,
  fromNotOrganizer,
  attachLocalFile,
];
