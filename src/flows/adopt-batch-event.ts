/**
 * Events sent by `smtp-invite batch` join the organizer's side when first needed: `update`,
 * `cancel`, `status`, `export`, `ingest` (and `send`, which must refuse a UID already sent) look an
 * event up with findEvent, which adopts it from the batch rows that sent it when it is not stored
 * yet. Adoption at need keeps the batch itself fast (no event written per row while sending) and
 * handles a template with a fixed UID (a webinar): its rows are one event whose attendees are
 * everyone the rows invited.
 *
 * The adopted copy is rebuilt from the rows' inputs: the same event, attendees and SEQUENCE as
 * sent; its DTSTAMP is the batch's start (the exact bytes are not kept once a row is done).
 */
import { buildCalendar } from '../ical/build-calendar.ts';
import type { InviteInput } from '../model/invite.ts';
import { attendeeKey } from '../itip/attendee-key.ts';
import type { Ledger, StoredEvent } from '../ledger/ledger-types.ts';
import { validateInvite } from '../model/validate-invite.ts';
import { SmtpInviteError } from '../errors.ts';

/** The stored event `uid`, adopting it from the batches that sent it when needed. */
export function findEvent(ledger: Ledger, uid: string): StoredEvent | undefined {
  return ledger.getEvent(uid) ?? adoptBatchEvent(ledger, uid);
}

function adoptBatchEvent(ledger: Ledger, uid: string): StoredEvent | undefined {
  const rows = ledger.batches.sentRowsForUid(uid);
  const first = rows[0];
  if (first === undefined) return undefined;
  const inputs = rows.map((r) => JSON.parse(r.inputJson) as InviteInput);
  const base = inputs[0] as InviteInput;
  // Everyone any row invited, in row order, each once.
  const seen = new Set<string>();
  const attendees = inputs
    .flatMap((input) => input.attendees ?? [])
    .filter((a) => {
      const key = attendeeKey(a.email);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const input: InviteInput = { ...base, uid, attendees };
  const checked = validateInvite(input);
  if (!checked.ok) {
    throw new SmtpInviteError(
      'ERR_LEDGER_IO',
      `the batch rows that sent ${uid} do not make a valid event: ${checked.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    );
  }
  const invite = checked.invite;
  const stored = { ...input, sequence: invite.sequence };
  try {
    ledger.transaction(() => {
      ledger.putEvent({
        uid,
        sequence: invite.sequence,
        input: stored,
        calendar: buildCalendar(invite, { now: new Date(first.sentAt) }),
        state: invite.method === 'CANCEL' ? 'cancelled' : 'active',
      });
      ledger.setAttendees(
        uid,
        // As execute-plan records a sent invite: lower-cased address, the PARTSTAT sent.
        invite.attendees.map((a) => ({
          email: a.email.toLowerCase(),
          ...(a.name === undefined ? {} : { name: a.name }),
          role: a.role,
          partstat: a.partstat,
          invited: true,
        })),
      );
    });
  } catch (err) {
    // Another process adopted it first: use theirs.
    if (!(err instanceof SmtpInviteError && err.code === 'ERR_LEDGER_CONFLICT')) throw err;
  }
  return ledger.getEvent(uid);
}
