import { defineRule } from '../inspect-types.ts';

// RFC 6047 §2.4: the text/calendar part MUST carry a "method" parameter equal to METHOD. Outlook
// treats a calendar part without it as an attachment; so does Gmail for replies. Some gateways
// (Proton Bridge) strip it, Apple Mail's replies omit it.
export const methodParamMissing = defineRule({
  id: 'method-param-missing',
  category: 'mime',
  severity: 'error',
  summary: 'The text/calendar part has no method= parameter: Outlook treats it as an attachment.',
  fix: 'Send Content-Type: text/calendar; method=<METHOD>; charset=UTF-8, with the same METHOD as the calendar.',
  source: 'RFC 6047 §2.4',
  effects: [{ client: 'outlook', outcome: 'attachment' }],
  *check(context) {
    const part = context.primary;
    if (context.kind !== 'message' || part === undefined || part.contentType !== 'text/calendar')
      return;
    if (part.method === undefined || part.method === '') {
      yield {
        message: `the ${part.placement === 'attachment' ? 'attached ' : ''}text/calendar part ${part.path} has no method= parameter${part.calendarMethod ? ` (METHOD is ${part.calendarMethod})` : ''}`,
        path: part.path,
      };
    }
  },
});
