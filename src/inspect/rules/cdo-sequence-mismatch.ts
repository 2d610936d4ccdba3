import { defineRule } from '../inspect-types.ts';
import { eventPath, first, primaryEvents } from '../rule-helpers.ts';

// Outlook reads X-MICROSOFT-CDO-APPT-SEQUENCE before SEQUENCE ([MS-OXCICAL] §2.1.3.1.1.20.3): when
// the two differ, an update can be taken as out of date ("this meeting request is not the latest")
// or an old one applied over a newer one.
export const cdoSequenceMismatch = defineRule({
  id: 'cdo-sequence-mismatch',
  category: 'client',
  severity: 'error',
  summary: 'X-MICROSOFT-CDO-APPT-SEQUENCE differs from SEQUENCE: Outlook goes by the CDO value.',
  fix: 'Write X-MICROSOFT-CDO-APPT-SEQUENCE equal to SEQUENCE, or leave it out.',
  source: '[MS-OXCICAL] §2.1.3.1.1.20.3',
  effects: [{ client: 'outlook', outcome: 'degraded' }],
  *check(context) {
    for (const event of primaryEvents(context)) {
      const cdo = first(event.vevent, 'X-MICROSOFT-CDO-APPT-SEQUENCE');
      if (cdo === undefined) continue;
      const sequence = first(event.vevent, 'SEQUENCE')?.value.trim() ?? '0';
      if (Number(cdo.value.trim()) !== Number(sequence)) {
        yield {
          message: `X-MICROSOFT-CDO-APPT-SEQUENCE is ${cdo.value.trim()} but SEQUENCE is ${sequence}`,
          path: eventPath(event, 'X-MICROSOFT-CDO-APPT-SEQUENCE'),
          line: cdo.line,
        };
      }
    }
  },
});
