import { defineRule } from '../inspect-types.ts';

// RFC 5546 §1.4 and RFC 6047 §2.4: an iTIP message MUST carry METHOD in the VCALENDAR (and the MIME
// method= parameter MUST equal it). Without METHOD the object is a plain calendar to import, not a
// request, reply or cancellation: clients that read the calendar rather than the MIME header, and
// any copy saved or forwarded as a file, cannot tell what to do with it, even when method= is
// present. A standalone .ics
// without METHOD is a valid RFC 5545 calendar file and is not reported; neither is an .ics merely
// attached without method= (a file to import, which calendar-only-attachment describes).
export const missingMethod = defineRule({
  id: 'missing-method',
  category: 'itip',
  severity: 'error',
  summary: 'The calendar of an invitation email has no METHOD property.',
  fix: 'Add METHOD:REQUEST (or the method of the message) to the VCALENDAR, equal to the MIME method= parameter.',
  source: 'RFC 5546 §1.4; RFC 6047 §2.4',
  *check(context) {
    const part = context.primary;
    if (context.kind !== 'message' || part?.vcalendar === undefined) return;
    if (part.calendarMethod !== undefined) return;
    const hasParam = part.method !== undefined && part.method !== '';
    if (part.placement === 'attachment' && !hasParam) return;
    yield {
      message: !hasParam
        ? `the calendar in part ${part.path} has no METHOD, and the part no method= parameter`
        : `the calendar in part ${part.path} has no METHOD (the part says method=${part.method})`,
      path: part.path,
      line: part.vcalendar.line,
    };
  },
});
