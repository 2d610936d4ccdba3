/**
 * The build pipeline: input → validated Invite → iCalendar text → one or more complete iMIP messages.
 * Pure apart from the injectable clock and id generators (defaults: system clock, random ids), so
 * with `deterministicIds()` the output is byte-identical on every run.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { buildCalendar } from '../ical/build-calendar.ts';
import { composeMessage, type MailAddress, type MessageProfile } from '../mime/compose-message.ts';
import { renderHtmlBody, renderSubject, renderTextBody } from '../mime/render-bodies.ts';
import type {
  Attendee,
  Invite,
  InviteInput,
  InviteLimits,
  InviteMethod,
  Method,
} from '../model/invite.ts';
import { invalidInviteError, validateInvite } from '../model/validate-invite.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { OutgoingMessage } from '../transport/transport.ts';
import { checkIdentityOptions, resolveSenderIdentity, withSentBy } from './sender-identity.ts';

/** Everything non-deterministic in a build. */
export interface BuildIds {
  /** DTSTAMP and the Date header. */
  readonly now: () => Date;
  /** UID for inputs that have none. */
  readonly newUid: () => string;
  /** Message-ID (without <>) for the n-th message of this build. */
  readonly messageId: (invite: Invite, index: number) => string;
  /** MIME boundary at a nesting depth of the n-th message. */
  readonly boundary: (index: number, depth: number) => string;
}

export interface BuildOptions {
  /** `default` (Google's layout, with the .ics attachment) or `outlook` (flat, base64 calendar). */
  readonly profile?: MessageProfile;
  /** Add the `.ics` copy as an attachment (default profile only). Default true. */
  readonly attachment?: boolean;
  /** Override the input's METHOD. */
  readonly method?: InviteMethod;
  /** One message per attendee instead of one message to all. */
  readonly perRecipient?: boolean;
  /**
   * Send only to these attendees (addresses, case-insensitive); the calendar still lists every
   * attendee. For an iTIP plan: a REFRESH answered to one attendee, a REQUEST to newcomers only.
   */
  readonly recipients?: readonly string[];
  /**
   * Mode 2 (README "Who sends: three modes"): a service, e.g. a booking platform, sends on behalf
   * of the organizer. From = the service (with its name), Reply-To = the organizer,
   * ORGANIZER;SENT-BY = the service, SMTP envelope sender and Message-ID domain = the service's.
   * Not with `sender`. Ignored when it is the organizer's own address.
   */
  readonly service?: MailAddress;
  /**
   * Mode 3 with Send on Behalf: a shared-mailbox member or delegate sends for the organizer. It
   * becomes the MIME Sender, the SMTP envelope sender and ORGANIZER;SENT-BY (RFC 5545 §3.2.18),
   * while From stays the organizer. Replaces the input's `organizer.sentBy`. Not with `service`.
   */
  readonly sender?: MailAddress;
  readonly limits?: Partial<InviteLimits>;
  readonly prodId?: string;
  readonly ids?: Partial<BuildIds>;
}

export interface BuiltMessage extends OutgoingMessage {
  /** REQUEST, PUBLISH, CANCEL from the organizer; REPLY from an attendee (smtp-invite reply). */
  readonly method: Method;
  readonly sequence: number;
  readonly uid: string;
  /** Attendee addresses this message is for (the SMTP envelope recipients). */
  readonly recipients: readonly string[];
}

export interface BuiltInvite {
  readonly invite: Invite;
  /** The calendar text (CRLF, folded), identical in every message of the build. */
  readonly calendar: string;
  readonly messages: readonly BuiltMessage[];
  /** Non-fatal findings of validation (e.g. a start in the repeated hour of a DST change). */
  readonly warnings: readonly Diagnostic[];
}

export function randomIds(): BuildIds {
  return {
    now: () => new Date(),
    newUid: randomUUID,
    messageId: (invite) =>
      `${randomUUID()}@${domainOf(invite.organizer.sentBy ?? invite.organizer.email)}`,
    boundary: () => `----=_smtp-invite_${randomBytes(12).toString('hex')}`,
  };
}

/**
 * Ids derived from the input itself (a hash), and a fixed clock: SOURCE_DATE_EPOCH when set (the
 * reproducible-builds convention), otherwise 2026-01-01T00:00:00Z.
 */
export function deterministicIds(input: unknown, env: NodeJS.ProcessEnv = process.env): BuildIds {
  const digest = createHash('sha256')
    .update(JSON.stringify(input) ?? '')
    .digest('hex');
  const epoch = env['SOURCE_DATE_EPOCH'];
  const now =
    epoch !== undefined && /^\d+$/.test(epoch)
      ? new Date(Number(epoch) * 1000)
      : new Date('2026-01-01T00:00:00Z');
  return {
    now: () => now,
    newUid: () =>
      `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`,
    messageId: (invite, index) =>
      `${digest.slice(0, 24)}.${index}@${domainOf(invite.organizer.sentBy ?? invite.organizer.email)}`,
    boundary: (index, depth) => `----=_smtp-invite_${digest.slice(32, 48)}_${index}_${depth}`,
  };
}

/**
 * Validates the input (throws ERR_INVALID_INPUT listing every problem), builds the calendar and the
 * messages. Typed input gets completion; anything else (parsed JSON) is validated the same way.
 */
export function buildInvite(input: InviteInput, options?: BuildOptions): BuiltInvite;
export function buildInvite(input: unknown, options?: BuildOptions): BuiltInvite;
export function buildInvite(input: unknown, options: BuildOptions = {}): BuiltInvite {
  const ids: BuildIds = { ...randomIds(), ...options.ids };
  const validated = validateInvite(input, {
    newUid: ids.newUid,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  if (!validated.ok) throw invalidInviteError(validated.diagnostics);
  let invite = validated.invite;
  if (options.method !== undefined && options.method !== invite.method) {
    invite = {
      ...invite,
      method: options.method,
      status:
        options.method === 'CANCEL'
          ? 'CANCELLED'
          : invite.status === 'CANCELLED'
            ? 'CONFIRMED'
            : invite.status,
    };
  }
  return { ...buildInviteMessages(invite, options, ids), warnings: validated.diagnostics };
}

/**
 * Builds the messages of an already validated Invite (later flows: updates and cancellations). The
 * sender identity (`service`, `sender`) is applied here, so every path gets it; the returned invite
 * carries the ORGANIZER;SENT-BY it was sent with.
 */
export function buildInviteMessages(
  validInvite: Invite,
  options: BuildOptions = {},
  ids: BuildIds = { ...randomIds(), ...options.ids },
): BuiltInvite {
  if (options.service !== undefined || options.sender !== undefined) checkIdentityOptions(options);
  const identity = resolveSenderIdentity(validInvite.organizer, options);
  const organizer = withSentBy(validInvite.organizer, identity.sentBy);
  const invite = organizer === validInvite.organizer ? validInvite : { ...validInvite, organizer };
  const now = ids.now();
  const calendar = buildCalendar(invite, {
    now,
    ...(options.prodId === undefined ? {} : { prodId: options.prodId }),
  });
  const subject = renderSubject(invite);
  const text = renderTextBody(invite);
  const html = renderHtmlBody(invite);
  const profile = options.profile ?? 'default';
  const attachment = options.attachment ?? true;
  const { from, sender, replyTo, envelopeFrom } = identity;

  // The organizer is never a recipient (validation refuses it as an attendee); rooms and resources
  // are: their mailboxes book themselves from the REQUEST.
  const wanted =
    options.recipients === undefined
      ? undefined
      : new Set(options.recipients.map((r) => r.toLowerCase()));
  const addressed =
    wanted === undefined
      ? invite.attendees
      : invite.attendees.filter((a) => wanted.has(a.email.toLowerCase()));
  const groups: (readonly Attendee[])[] = options.perRecipient
    ? addressed.map((a) => [a])
    : [addressed];
  const messages = groups
    .filter((group) => group.length > 0)
    .map((group, index): BuiltMessage => {
      const messageId = ids.messageId(invite, index);
      const raw = composeMessage({
        from,
        ...(sender === undefined ? {} : { sender }),
        ...(replyTo === undefined ? {} : { replyTo }),
        to: group.map(nameAndEmail),
        subject,
        date: now,
        messageId,
        text,
        html,
        calendar,
        attachment,
        profile,
        boundary: (depth) => ids.boundary(index, depth),
      });
      const recipients = group.map((a) => a.email);
      return {
        messageId,
        envelope: { from: envelopeFrom, to: recipients },
        raw,
        method: invite.method,
        sequence: invite.sequence,
        uid: invite.uid,
        recipients,
      };
    });
  return { invite, calendar, messages, warnings: [] };
}

function nameAndEmail(person: { readonly name?: string; readonly email: string }): MailAddress {
  return person.name === undefined
    ? { email: person.email }
    : { name: person.name, email: person.email };
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
