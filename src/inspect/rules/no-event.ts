import { componentsNamed } from '../calendar-model.ts';
import { defineRule } from '../inspect-types.ts';

// Invitations are events: RFC 6047 §2.4 and the RFC 5546 §3.2 tables all require at least one
// VEVENT. A calendar that holds only VTODO, VJOURNAL or VFREEBUSY (all legal in iTIP, RFC 5546
// §3.3-3.5) is not an invitation to a meeting: Outlook "does not import or export VTODO
// components" ([MS-STANOICAL] V0134) and leaves the calendar as a file. Thunderbird does handle
// VTODO invitations; what Gmail and Apple do is not documented. In a standalone .ics (a file to
// import, e.g. a free/busy export) this is worth a warning only.
export const noEvent = defineRule({
  id: 'no-event',
  category: 'itip',
  severity: 'error',
  summary:
    'The calendar holds no VEVENT (only VTODO, VJOURNAL or VFREEBUSY): it is not an invitation.',
  fix: 'Send the meeting as a VEVENT with DTSTART, DTEND, ORGANIZER and ATTENDEEs.',
  source: 'RFC 5546 §3.2; RFC 6047 §2.4; [MS-STANOICAL] §2.2.70 V0134',
  effects: [{ client: 'outlook', outcome: 'attachment' }],
  *check(context) {
    const vcalendar = context.primary?.vcalendar;
    const part = context.primary;
    if (part === undefined || vcalendar === undefined) return;
    if (componentsNamed(vcalendar, 'VEVENT').length > 0) return;
    const others = [...new Set(vcalendar.components.map((c) => c.name))].filter(
      (name) => name !== 'VTIMEZONE',
    );
    const holds = others.length === 0 ? 'no component at all' : `only ${others.join(', ')}`;
    yield {
      message: `the calendar in ${part.path} has no VEVENT (it holds ${holds})`,
      path: part.path,
      line: vcalendar.line,
      ...(context.kind === 'calendar' ? { severity: 'warning' as const, effects: [] } : {}),
    };
  },
});
