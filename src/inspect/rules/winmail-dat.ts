import { defineRule } from '../inspect-types.ts';
import { walkMime } from '../mime-model.ts';
import { MAX_MIME_HITS, describePart, partPath } from '../mime-rule-support.ts';

// [MS-OXTNEF]: Outlook sending in "Rich Text" format wraps the message, meeting requests included,
// in a TNEF stream (application/ms-tnef, usually named winmail.dat) that only Outlook/Exchange
// decode. Other clients show an opaque winmail.dat attachment (Microsoft Support: "Recipients
// receive Winmail.dat attachments"). A warning in any case: with a text/calendar part next to it
// clients use that part and the winmail.dat is noise; without one, no-calendar-part fires as well
// (it owns the error and the "not an invitation" verdict) and this finding says why, naming the
// clients that cannot read TNEF. Outlook itself would read the meeting from the TNEF stream, which
// no-calendar-part does not know about.
export const winmailDat = defineRule({
  id: 'winmail-dat',
  category: 'mime',
  severity: 'warning',
  summary:
    'The message carries a TNEF winmail.dat (application/ms-tnef) part that only Outlook reads: other clients see an opaque attachment.',
  fix: 'Send as HTML or plain text (not Outlook Rich Text), with the meeting as a text/calendar part.',
  source: '[MS-OXTNEF]; Microsoft Support: Winmail.dat attachments',
  *check(context) {
    if (context.root === undefined) return;
    const noCalendar = context.calendarParts.length === 0;
    const effects = noCalendar
      ? (['gmail', 'apple', 'thunderbird'] as const).map((client) => ({
          client,
          outcome: 'not-an-invitation' as const,
        }))
      : [];
    let count = 0;
    for (const node of walkMime(context.root)) {
      if (!TNEF_TYPES.has(node.contentType) && node.filename?.toLowerCase() !== 'winmail.dat')
        continue;
      if (++count > MAX_MIME_HITS) continue;
      yield {
        message: noCalendar
          ? `${describePart(node)} is a TNEF (winmail.dat) attachment and the message has no text/calendar part: only Outlook can read the meeting`
          : `${describePart(node)} is a TNEF (winmail.dat) attachment: clients other than Outlook show it as an opaque file`,
        path: partPath(node),
        effects,
      };
    }
    if (count > MAX_MIME_HITS)
      yield { message: `… and ${count - MAX_MIME_HITS} more TNEF parts`, path: 'message', effects };
  },
});

const TNEF_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef']);
