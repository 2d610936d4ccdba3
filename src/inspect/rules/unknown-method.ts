import { defineRule } from '../inspect-types.ts';
import { isItipMethod } from '../itip-presence.ts';

// RFC 5546 §1.4 defines eight methods (PUBLISH, REQUEST, REPLY, ADD, CANCEL, REFRESH, COUNTER,
// DECLINECOUNTER). RFC 5545 §3.7.2's grammar also admits other IANA tokens and X- names, but no
// calendar client acts on them: the calendar is at best offered as a file (which is also what the
// verdicts assume for any method they do not know).
export const unknownMethod = defineRule({
  id: 'unknown-method',
  category: 'itip',
  severity: 'error',
  summary: 'METHOD is not one of the eight iTIP methods: no client knows what to do with it.',
  fix: 'Use METHOD:REQUEST to invite, CANCEL to cancel, REPLY to answer, PUBLISH for an event to import.',
  source: 'RFC 5546 §1.4, §3.2; RFC 5545 §3.7.2',
  *check(context) {
    const part = context.primary;
    const method = part?.calendarMethod;
    if (part?.vcalendar === undefined || method === undefined || isItipMethod(method)) return;
    const line = part.vcalendar.properties.find((p) => p.name === 'METHOD')?.line;
    const note = method.startsWith('X-')
      ? ' (an experimental X- method is allowed by RFC 5545, but no client acts on it)'
      : method === ''
        ? ''
        : ' (not an iTIP method)';
    yield {
      message: `METHOD is "${method}"${note}`,
      path: `${part.path}/METHOD`,
      ...(line === undefined ? {} : { line }),
    };
  },
});
