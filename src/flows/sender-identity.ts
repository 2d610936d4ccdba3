/**
 * Who sends an organizer's message (README "Who sends: three modes"). Pure: the organizer of the
 * event and the identity options in, the header addresses, the SMTP envelope sender and
 * ORGANIZER;SENT-BY out.
 *
 * 1. The organizer sends as itself (default): From = ORGANIZER, envelope = the organizer.
 * 2. A service sends on behalf of the organizer (`service`, booking and event platforms): From =
 *    the service, Reply-To = the organizer (people's replies go to them), ORGANIZER;SENT-BY = the
 *    service (RFC 5545 §3.2.18: "the calendar user that is acting on behalf of the calendar user
 *    specified by the property"), envelope = the service. The service's own domain is then the
 *    one SPF, DKIM and DMARC check, so it can sign and align without sending "as" the organizer's
 *    domain; iTIP REPLYs still go to the ORGANIZER address (clients answer the calendar, not From).
 * 3. A shared mailbox: the ORGANIZER is the mailbox itself (events@…). A member with Send As
 *    rights changes nothing here (mode 1 with the mailbox as organizer); with Send on Behalf
 *    rights the member is `sender`: Sender header (RFC 5322 §3.6.2, the mailbox "responsible for
 *    the actual transmission"), ORGANIZER;SENT-BY and envelope = the member; From stays the
 *    organizer. An input's own `organizer.sentBy` is this mode too.
 *
 * The identity is a property of a send, not of the event: options replace the input's sentBy, and
 * flows never store them in the ledger's copy (switching identity between send and update is not
 * a change of the event). An address equal to the ORGANIZER's is ignored: the organizer then
 * simply sends as itself (a shared config file may name a service that organizes events too).
 */
import { error, type Diagnostic } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import type { MailAddress } from '../mime/compose-message.ts';
import { describeEmailProblem, emailKey } from '../model/check-email.ts';
import type { Organizer } from '../model/invite.ts';
import { sanitizeSingleLine } from '../model/sanitize-text.ts';

export interface IdentityOptions {
  /** Mode 2: a service (booking platform) sends on behalf of the organizer. */
  readonly service?: MailAddress;
  /** Mode 3 with Send on Behalf: a shared-mailbox member or delegate sends for the organizer. */
  readonly sender?: MailAddress;
}

export type IdentityMode = 'organizer' | 'service' | 'sender';

export interface SenderIdentity {
  readonly mode: IdentityMode;
  readonly from: MailAddress;
  /** `Sender:` header (mode 3 with a delegate). */
  readonly sender?: MailAddress;
  /** `Reply-To:` header (mode 2: the organizer). */
  readonly replyTo?: MailAddress;
  /** SMTP MAIL FROM. */
  readonly envelopeFrom: string;
  /** ORGANIZER;SENT-BY, undefined when the organizer sends as itself. */
  readonly sentBy?: string;
}

/** Display names are one header phrase: line breaks and controls become spaces (then encoded). */
const MAX_NAME_LENGTH = 200;

/**
 * Checks the identity options: valid addresses (the invite's own rules: they go into SMTP, RFC 5322
 * headers and a `mailto:` SENT-BY at once), string names, and not `service` and `sender` together
 * (a service sending for the organizer *is* the sender: one message cannot carry both meanings).
 * Throws ERR_INVALID_INPUT naming the option, like every other problem of what the caller gave.
 */
export function checkIdentityOptions(options: IdentityOptions, path = 'options'): void {
  const problems: Diagnostic[] = [];
  if (options.service !== undefined && options.sender !== undefined) {
    problems.push(
      error(
        'identity-conflict',
        path,
        'give either service (a service sends for the organizer: From = service) or sender ' +
          '(a shared-mailbox member or delegate: From stays the organizer), not both',
      ),
    );
  }
  for (const key of ['service', 'sender'] as const) {
    const address: unknown = options[key];
    if (address === undefined) continue;
    const at = `${path}.${key}`;
    if (typeof address !== 'object' || address === null) {
      problems.push(error('wrong-type', at, 'must be an object {name?, email}'));
      continue;
    }
    const { email, name } = address as { email?: unknown; name?: unknown };
    if (typeof email !== 'string') {
      problems.push(error('wrong-type', `${at}.email`, 'must be a string'));
    } else {
      const problem = describeEmailProblem(email.trim());
      if (problem !== undefined)
        problems.push(
          error('invalid-email', `${at}.email`, `"${email.trim().slice(0, 100)}" ${problem}`),
        );
    }
    if (name !== undefined && typeof name !== 'string')
      problems.push(error('wrong-type', `${at}.name`, 'must be a string'));
  }
  const first = problems[0];
  if (first === undefined) return;
  throw new SmtpInviteError(
    'ERR_INVALID_INPUT',
    `invalid sender identity: ${first.path}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    { diagnostics: problems },
  );
}

/** The addresses and SENT-BY of one organizer message. Call checkIdentityOptions first. */
export function resolveSenderIdentity(
  organizer: Organizer,
  options: IdentityOptions = {},
): SenderIdentity {
  // The organizer's name and address are validated already (the model sanitises names).
  const organizerAddress: MailAddress =
    organizer.name === undefined
      ? { email: organizer.email }
      : { name: organizer.name, email: organizer.email };
  // The common case, every row of a batch: nothing to compare.
  if (
    options.service === undefined &&
    options.sender === undefined &&
    organizer.sentBy === undefined
  )
    return { mode: 'organizer', from: organizerAddress, envelopeFrom: organizer.email };
  const self = emailKey(organizer.email);
  const service = cleanAddress(options.service);
  if (service !== undefined && emailKey(service.email) !== self) {
    return {
      mode: 'service',
      from: service,
      replyTo: organizerAddress,
      envelopeFrom: service.email,
      sentBy: service.email,
    };
  }
  const delegate =
    cleanAddress(options.sender) ??
    (organizer.sentBy === undefined ? undefined : { email: organizer.sentBy });
  if (delegate !== undefined && emailKey(delegate.email) !== self) {
    return {
      mode: 'sender',
      from: organizerAddress,
      sender: delegate,
      envelopeFrom: delegate.email,
      sentBy: delegate.email,
    };
  }
  return { mode: 'organizer', from: organizerAddress, envelopeFrom: organizer.email };
}

/** The organizer as the identity sends it: SENT-BY set or removed. */
export function withSentBy(organizer: Organizer, sentBy: string | undefined): Organizer {
  if (organizer.sentBy === sentBy) return organizer;
  const person =
    organizer.name === undefined
      ? { email: organizer.email }
      : { name: organizer.name, email: organizer.email };
  return sentBy === undefined ? person : { ...person, sentBy };
}

function cleanAddress(address: MailAddress | undefined): MailAddress | undefined {
  if (address === undefined) return undefined;
  return mailAddress(address.name, address.email.trim());
}

function mailAddress(name: string | undefined, email: string): MailAddress {
  // Code points, not UTF-16 units: the cut never leaves half a surrogate pair.
  const clean =
    name === undefined
      ? ''
      : [...sanitizeSingleLine(name).trim()].slice(0, MAX_NAME_LENGTH).join('').trim();
  return clean === '' ? { email } : { name: clean, email };
}
