import { defineRule } from '../inspect-types.ts';

// RFC 6047 §2.4: the method parameter MUST be the same as the METHOD property. Clients that go by
// the parameter (Outlook) and those that go by the calendar (Apple, Thunderbird) then disagree on
// what the message is.
export const methodParamMismatch = defineRule({
  id: 'method-param-mismatch',
  category: 'mime',
  severity: 'error',
  summary: 'The MIME method= parameter differs from the calendar METHOD.',
  fix: 'Derive method= from the calendar METHOD (never set them separately).',
  source: 'RFC 6047 §2.4',
  effects: [
    { client: 'outlook', outcome: 'attachment' },
    { client: 'apple', outcome: 'degraded' },
    { client: 'thunderbird', outcome: 'degraded' },
    { client: 'gmail', outcome: 'degraded' },
  ],
  *check(context) {
    for (const part of context.calendarParts) {
      if (part.method === undefined || part.method === '' || part.calendarMethod === undefined)
        continue;
      if (part.method !== part.calendarMethod) {
        yield {
          message: `part ${part.path} says method=${part.method} but its calendar says METHOD:${part.calendarMethod}`,
          path: part.path,
        };
      }
    }
  },
});
