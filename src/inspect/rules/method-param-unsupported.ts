import { defineRule } from '../inspect-types.ts';

// Outlook only turns REQUEST, REPLY, CANCEL and COUNTER messages into meeting items; any other
// method= (PUBLISH, ADD, REFRESH, DECLINECOUNTER, or a typo) is shown as an attachment.
const OUTLOOK_METHODS = new Set(['REQUEST', 'REPLY', 'CANCEL', 'COUNTER']);
// A DECLINECOUNTER has no substitute among those four (RFC 5546 §3.2.8 is the only way to reject a
// COUNTER in iTIP), so there is nothing to fix: the Outlook effect is reported as information.
const NO_SUBSTITUTE = new Set(['DECLINECOUNTER']);

export const methodParamUnsupported = defineRule({
  id: 'method-param-unsupported',
  category: 'mime',
  severity: 'warning',
  summary:
    'method= is not REQUEST, REPLY, CANCEL or COUNTER: Outlook treats the calendar as an attachment.',
  fix: 'Use METHOD:REQUEST (with ATTENDEEs) to invite; PUBLISH is only an event to import.',
  source: 'Outlook/Exchange iMIP handling; RFC 5546 §1.4',
  effects: [{ client: 'outlook', outcome: 'attachment' }],
  *check(context) {
    const part = context.primary;
    if (context.kind !== 'message' || part?.method === undefined || part.method === '') return;
    if (!OUTLOOK_METHODS.has(part.method)) {
      yield {
        message: `method=${part.method} is not one Outlook handles as a meeting message`,
        path: part.path,
        ...(NO_SUBSTITUTE.has(part.method) ? { severity: 'info' as const } : {}),
      };
    }
  },
});
