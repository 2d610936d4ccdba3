/**
 * What the reading phase does to each row, as a pure function (run in the build thread when there
 * is one): merge it into the template, validate it, fix its UID so every later build of the row
 * agrees, and give it back as the JSON text the ledger stores.
 */
import { randomUUID } from 'node:crypto';

import { mergeTemplate } from '../batch/merge-template.ts';
import { validateInvite } from '../model/validate-invite.ts';

export type PreparedRow =
  | { readonly ok: true; readonly inputJson: string }
  | { readonly ok: false; readonly problems: string[] };

export function prepareBatchRow(record: unknown, template: unknown): PreparedRow {
  let input: unknown = record;
  if (template !== undefined) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return { ok: false, problems: ['the row is not an object of column values'] };
    }
    const merged = mergeTemplate(template, record as Record<string, unknown>);
    if (!merged.ok) return { ok: false, problems: merged.problems };
    input = merged.input;
  }
  const validated = validateInvite(input, { newUid: randomUUID });
  if (!validated.ok) {
    return {
      ok: false,
      problems: validated.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)),
    };
  }
  if (validated.invite.attendees.length === 0) {
    return { ok: false, problems: ['attendees: the invite has no attendee to send it to'] };
  }
  const uid = validated.invite.uid;
  return { ok: true, inputJson: JSON.stringify({ ...(input as Record<string, unknown>), uid }) };
}
