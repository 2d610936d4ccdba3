/**
 * The one gate between user input and the rest of the code: every problem is collected with its JSON
 * path (nothing stops at the first), and only a fully valid input becomes an `Invite`.
 */
import { randomUUID } from 'node:crypto';
import type { DateTime } from 'luxon';
import { error, hasErrors, joinPath, warning, type Diagnostic } from '../diagnostics.ts';
import { SmtpInviteError } from '../errors.ts';
import { describeEmailProblem, emailKey } from './check-email.ts';
import {
  DEFAULT_LIMITS,
  INVITE_METHODS,
  KINDS,
  PARTSTATS,
  ROLES,
  STATUSES,
  TRANSPARENCIES,
  type Alarm,
  type Attendee,
  type Invite,
  type InviteLimits,
  type InviteMethod,
  type Organizer,
  type Recurrence,
} from './invite.ts';
import { htmlToText } from './html-to-text.ts';
import { normalizeRrule } from './normalize-rrule.ts';
import {
  addDuration,
  canonicalTimeZone,
  durationSeconds,
  isRepeatedWallTime,
  parseDate,
  parseDateTime,
  parseDuration,
  suggestTimeZone,
} from './parse-time.ts';
import { sanitizeMultiLine, sanitizeSingleLine, utf8Length } from './sanitize-text.ts';

export interface ValidateOptions {
  readonly limits?: Partial<InviteLimits>;
  /** UID for inputs without one (injected for deterministic output). Default: a random UUID. */
  readonly newUid?: () => string;
}

export type ValidationResult =
  | { readonly ok: true; readonly invite: Invite; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

const TOP_LEVEL_KEYS = [
  'uid',
  'sequence',
  'method',
  'summary',
  'description',
  'html',
  'location',
  'url',
  'timeZone',
  'start',
  'end',
  'duration',
  'allDay',
  'recurrence',
  'organizer',
  'attendees',
  'alarms',
  'status',
  'transparency',
] as const;

/** Validates and normalises; never throws on bad input. */
export function validateInvite(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const limits: InviteLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const v = new Validator(limits);
  const invite = v.invite(input, options.newUid ?? randomUUID);
  if (invite === undefined || hasErrors(v.diagnostics))
    return { ok: false, diagnostics: v.diagnostics };
  return { ok: true, invite, diagnostics: v.diagnostics };
}

/** Like validateInvite, but throws ERR_INVALID_INPUT listing every problem. */
export function parseInvite(input: unknown, options: ValidateOptions = {}): Invite {
  const result = validateInvite(input, options);
  if (result.ok) return result.invite;
  throw invalidInviteError(result.diagnostics);
}

/** ERR_INVALID_INPUT naming the first problem and carrying all of them. */
export function invalidInviteError(diagnostics: readonly Diagnostic[]): SmtpInviteError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new SmtpInviteError(
    'ERR_INVALID_INPUT',
    `invalid invite: ${first ? `${first.path || 'input'}: ${first.message}` : 'unknown problem'}${more}`,
    { diagnostics: errors },
  );
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Validator {
  readonly diagnostics: Diagnostic[] = [];
  private readonly limits: InviteLimits;
  constructor(limits: InviteLimits) {
    this.limits = limits;
  }

  private fail(code: string, path: string, message: string): undefined {
    this.diagnostics.push(error(code, path, message));
    return undefined;
  }

  invite(input: unknown, newUid: () => string): Invite | undefined {
    if (!isObject(input)) return this.fail('wrong-type', '', 'the invite must be a JSON object');
    this.unknownKeys(input, TOP_LEVEL_KEYS, '');

    const uid = this.uid(input['uid'], newUid);
    const sequence = this.sequence(input['sequence']);
    const method = this.enumValue(input['method'], 'method', INVITE_METHODS, 'REQUEST', (s) =>
      s.toUpperCase(),
    );
    const summary = this.text(input['summary'], 'summary', { required: true, singleLine: true });
    const description = this.text(input['description'], 'description', { singleLine: false });
    const html = this.text(input['html'], 'html', { singleLine: false, html: true });
    const location = this.text(input['location'], 'location', { singleLine: true });
    const url = this.url(input['url']);
    const allDay = this.boolean(input['allDay'], 'allDay') ?? false;
    // undefined: no zone given; null: given but unknown (already reported, so times are not parsed:
    // "start has no offset" would only be noise).
    const zone = this.timeZone(input['timeZone']);
    const times = zone === null ? undefined : this.times(input, allDay, allDay ? undefined : zone);
    const recurrence =
      times === undefined || input['recurrence'] === undefined
        ? undefined
        : this.recurrence(input['recurrence'], allDay, allDay ? null : (zone ?? null), times.start);
    const organizer = this.organizer(input['organizer']);
    const attendees = this.attendees(input['attendees'], organizer, method);
    const alarms = this.alarms(input['alarms']);
    const statusInput = this.enumValue(
      input['status'],
      'status',
      Object.keys(STATUSES) as (keyof typeof STATUSES)[],
      'confirmed',
      (s) => s.toLowerCase(),
    );
    const transparency = this.enumValue(
      input['transparency'],
      'transparency',
      Object.keys(TRANSPARENCIES) as (keyof typeof TRANSPARENCIES)[],
      'busy',
      (s) => s.toLowerCase(),
    );

    if (
      hasErrors(this.diagnostics) ||
      uid === undefined ||
      summary === undefined ||
      times === undefined ||
      organizer === undefined ||
      attendees === undefined ||
      method === undefined ||
      statusInput === undefined ||
      transparency === undefined
    ) {
      return undefined;
    }
    // Most clients show DESCRIPTION only (X-ALT-DESC is Outlook's): give HTML-only invites a text one.
    const text = description ?? (html === undefined ? undefined : htmlToText(html) || undefined);
    return {
      uid,
      sequence,
      method,
      summary,
      ...(text === undefined ? {} : { description: text }),
      ...(html === undefined ? {} : { html }),
      ...(location === undefined ? {} : { location }),
      ...(url === undefined ? {} : { url }),
      // All-day dates float (RFC 5545 §3.3.4); UTC needs no VTIMEZONE: times are written with Z.
      timeZone: allDay || zone === undefined || zone === 'UTC' || zone === 'Etc/UTC' ? null : zone,
      allDay,
      start: times.start,
      end: times.end,
      ...(recurrence === undefined ? {} : { recurrence }),
      organizer,
      attendees,
      alarms,
      // RFC 5546 §3.2.5: a CANCEL of the whole event carries STATUS:CANCELLED.
      status: method === 'CANCEL' ? 'CANCELLED' : STATUSES[statusInput],
      transparency: TRANSPARENCIES[transparency],
    };
  }

  private unknownKeys(obj: Obj, known: readonly string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) {
        const hint = known.find(
          (k) => k.toLowerCase() === key.toLowerCase() || k.startsWith(key.slice(0, 4)),
        );
        this.fail(
          'unknown-field',
          joinPath(path, key),
          `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}; known fields: ${known.join(', ')}`,
        );
      }
    }
  }

  private uid(value: unknown, newUid: () => string): string | undefined {
    if (value === undefined) return newUid();
    if (typeof value !== 'string') return this.fail('wrong-type', 'uid', 'must be a string');
    // UID is TEXT (RFC 5545 §3.8.4.7) but clients match it byte for byte: refuse what cannot round-trip.
    if (value.length === 0 || value.length > 255)
      return this.fail('invalid-uid', 'uid', 'must be 1 to 255 characters');
    if (!/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value)) {
      return this.fail(
        'invalid-uid',
        'uid',
        'must be printable ASCII without leading or trailing spaces (e.g. a UUID)',
      );
    }
    return value;
  }

  private sequence(value: unknown): number {
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2147483647) {
      this.fail('invalid-sequence', 'sequence', 'must be an integer from 0 to 2147483647');
      return 0;
    }
    return value;
  }

  private enumValue<T extends string>(
    value: unknown,
    path: string,
    allowed: readonly T[],
    fallback: T,
    normalise: (s: string) => string,
  ): T | undefined {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(normalise(value)))
      return normalise(value) as T;
    return this.fail(
      'invalid-value',
      path,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}${typeof value === 'string' ? `, not "${value}"` : ''}`,
    );
  }

  private boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || typeof value === 'boolean') return value;
    return this.fail('wrong-type', path, 'must be true or false');
  }

  private text(
    value: unknown,
    path: string,
    o: { required?: boolean; singleLine: boolean; html?: boolean },
  ): string | undefined {
    if (value === undefined || value === null) {
      return o.required ? this.fail('required', path, 'is required') : undefined;
    }
    if (typeof value !== 'string') return this.fail('wrong-type', path, 'must be a string');
    const max = o.html ? this.limits.maxHtmlBytes : this.limits.maxTextBytes;
    const size = utf8Length(value);
    if (size > max)
      return this.fail(
        'too-large',
        path,
        `is ${size} bytes; the limit is ${max} (limits.${o.html ? 'maxHtmlBytes' : 'maxTextBytes'})`,
      );
    const clean = o.singleLine ? sanitizeSingleLine(value).trim() : sanitizeMultiLine(value);
    // Whitespace only is no value at all (an empty DESCRIPTION helps no one).
    if (clean.trim() === '')
      return o.required ? this.fail('required', path, 'must not be empty') : undefined;
    return clean;
  }

  private url(value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') return this.fail('wrong-type', 'url', 'must be a string');
    if (utf8Length(value) > this.limits.maxTextBytes)
      return this.fail('too-large', 'url', `is longer than ${this.limits.maxTextBytes} bytes`);
    let parsed: URL;
    try {
      parsed = new URL(value.trim());
    } catch {
      return this.fail(
        'invalid-url',
        'url',
        `"${value.slice(0, 200)}" is not an absolute URL like https://meet.example.com/abc`,
      );
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      return this.fail(
        'invalid-url',
        'url',
        `must be an http or https link, not ${parsed.protocol}`,
      );
    }
    // The WHATWG serialisation has no spaces or controls; `;`, `,` and `\` are percent-encoded too,
    // because ical-generator TEXT-escapes URL values and a `\;` would break the link in clients.
    return parsed.href.replace(/[;,\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }

  private timeZone(value: unknown): string | null | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail('wrong-type', 'timeZone', 'must be an IANA time zone name like "Europe/Berlin"');
      return null;
    }
    const zone = canonicalTimeZone(value);
    if (zone === null) {
      const suggestion = suggestTimeZone(value);
      this.fail(
        'unknown-time-zone',
        'timeZone',
        `unknown time zone "${value}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; use an IANA name like Europe/Berlin`,
      );
    }
    return zone;
  }

  private times(
    input: Obj,
    allDay: boolean,
    zone: string | undefined,
  ): { start: DateTime; end: DateTime } | undefined {
    const parse = (value: unknown, path: string): DateTime | undefined => {
      if (typeof value !== 'string')
        return this.fail(
          value === undefined ? 'required' : 'wrong-type',
          path,
          value === undefined ? 'is required' : 'must be a string',
        );
      const parsed = allDay ? parseDate(value) : parseDateTime(value, zone ?? null);
      if (parsed.ok) return parsed.value;
      return this.fail(
        'invalid-date-time',
        path,
        allDay && /T/.test(value)
          ? `an all-day event takes dates like 2026-12-24, not "${value}"`
          : parsed.problem,
      );
    };
    const start = parse(input['start'], 'start');
    const hasEnd = input['end'] !== undefined;
    const hasDuration = input['duration'] !== undefined;
    if (hasEnd && hasDuration) {
      this.fail('end-and-duration', 'duration', 'give either end or duration, not both');
      return undefined;
    }
    let end: DateTime | undefined;
    if (hasEnd) {
      end = parse(input['end'], 'end');
    } else if (hasDuration) {
      const raw = input['duration'];
      if (typeof raw !== 'string')
        return this.fail('wrong-type', 'duration', 'must be a string like "PT45M"');
      const d = parseDuration(raw);
      if (!d.ok) return this.fail('invalid-duration', 'duration', d.problem);
      if (allDay && d.value.hours + d.value.minutes + d.value.seconds > 0) {
        return this.fail(
          'invalid-duration',
          'duration',
          `an all-day event lasts whole days (P1D, P2D, P1W), not "${raw}"`,
        );
      }
      if (start !== undefined) end = addDuration(start, d.value);
    } else if (allDay) {
      if (start !== undefined) end = start.plus({ days: 1 });
    } else {
      return this.fail('required', 'end', 'is required (or give duration, e.g. "PT45M")');
    }
    if (start === undefined || end === undefined) return undefined;
    for (const [path, value] of [
      ['start', start],
      ['end', end],
    ] as const) {
      if (!allDay && isRepeatedWallTime(value)) {
        this.diagnostics.push(
          warning(
            'ambiguous-local-time',
            path,
            `${value.toFormat('yyyy-LL-dd HH:mm')} occurs twice in ${value.zoneName ?? ''} (the clocks go back): it means the first occurrence (UTC${value.toFormat('ZZ')}, RFC 5545 §3.3.5), but some clients (Thunderbird) read the second; choose another time to be unambiguous`,
          ),
        );
      }
    }
    if (end <= start) {
      return this.fail(
        'end-not-after-start',
        hasDuration ? 'duration' : 'end',
        allDay
          ? 'must be after start (the end date is exclusive: a one-day event on 2026-12-24 ends on 2026-12-25)'
          : `must be after start (${start.toISO({ suppressMilliseconds: true }) ?? ''})`,
      );
    }
    return { start, end };
  }

  private recurrence(
    value: unknown,
    allDay: boolean,
    zone: string | null,
    start: DateTime,
  ): Recurrence | undefined {
    if (!isObject(value))
      return this.fail(
        'wrong-type',
        'recurrence',
        'must be an object like { "rrule": "FREQ=WEEKLY;COUNT=10" }',
      );
    this.unknownKeys(value, ['rrule', 'exdates'], 'recurrence');
    if (value['rrule'] === undefined)
      return this.fail('required', 'recurrence.rrule', 'is required');
    const rule = normalizeRrule(
      value['rrule'],
      'recurrence.rrule',
      { zone, allDay, start },
      this.diagnostics,
    );
    const exdates: DateTime[] = [];
    const raw = value['exdates'];
    if (raw !== undefined) {
      if (!Array.isArray(raw))
        return this.fail(
          'wrong-type',
          'recurrence.exdates',
          'must be an array of dates in the same form as start',
        );
      raw.forEach((item: unknown, i) => {
        const path = joinPath('recurrence.exdates', i);
        if (typeof item !== 'string') return this.fail('wrong-type', path, 'must be a string');
        const parsed = allDay ? parseDate(item) : parseDateTime(item, zone);
        if (!parsed.ok) return this.fail('invalid-date-time', path, parsed.problem);
        // EXDATE must name an occurrence start: same time of day as DTSTART (clients match exactly).
        if (!allDay && parsed.value.toFormat('HH:mm:ss') !== start.toFormat('HH:mm:ss')) {
          return this.fail(
            'invalid-date-time',
            path,
            `excludes ${parsed.value.toFormat('HH:mm')} but occurrences start at ${start.toFormat('HH:mm')} in ${zone ?? 'UTC'}`,
          );
        }
        exdates.push(parsed.value);
        return undefined;
      });
    }
    if (rule === undefined) return undefined;
    return { rrule: rule.value, exdates };
  }

  private person(value: unknown, path: string): { email: string; name?: string } | undefined {
    if (!isObject(value))
      return this.fail(
        value === undefined ? 'required' : 'wrong-type',
        path,
        value === undefined
          ? 'is required'
          : 'must be an object like { "name": "Ada", "email": "ada@example.com" }',
      );
    const email = this.email(value['email'], joinPath(path, 'email'));
    const name = this.text(value['name'], joinPath(path, 'name'), { singleLine: true });
    if (email === undefined) return undefined;
    return name === undefined ? { email } : { email, name };
  }

  private email(value: unknown, path: string): string | undefined {
    if (value === undefined) return this.fail('required', path, 'is required');
    if (typeof value !== 'string') return this.fail('wrong-type', path, 'must be a string');
    const trimmed = value.trim();
    const problem = describeEmailProblem(trimmed);
    if (problem !== undefined)
      return this.fail('invalid-email', path, `"${trimmed.slice(0, 100)}" ${problem}`);
    return trimmed;
  }

  private organizer(value: unknown): Organizer | undefined {
    if (isObject(value)) this.unknownKeys(value, ['name', 'email', 'sentBy'], 'organizer');
    const person = this.person(value, 'organizer');
    if (!isObject(value) || person === undefined) return undefined;
    if (value['sentBy'] === undefined) return person;
    const sentBy = this.email(value['sentBy'], 'organizer.sentBy');
    return sentBy === undefined ? undefined : { ...person, sentBy };
  }

  private attendees(
    value: unknown,
    organizer: Organizer | undefined,
    method: InviteMethod | undefined,
  ): Attendee[] | undefined {
    if (value === undefined) {
      if (method === 'PUBLISH') return [];
      return this.fail('required', 'attendees', 'is required: list the people to invite');
    }
    if (!Array.isArray(value)) return this.fail('wrong-type', 'attendees', 'must be an array');
    if (value.length === 0 && method !== 'PUBLISH')
      return this.fail(
        'required',
        'attendees',
        `a ${method ?? 'REQUEST'} needs at least one attendee`,
      );
    if (value.length > this.limits.maxAttendees) {
      return this.fail(
        'too-many-attendees',
        'attendees',
        `has ${value.length} attendees; the limit is ${this.limits.maxAttendees} (limits.maxAttendees; use batch sending for mass invitations)`,
      );
    }
    const seen = new Map<string, number>();
    const organizerKey = organizer === undefined ? undefined : emailKey(organizer.email);
    const result: Attendee[] = [];
    value.forEach((item: unknown, i) => {
      const path = joinPath('attendees', i);
      if (isObject(item))
        this.unknownKeys(item, ['name', 'email', 'role', 'kind', 'rsvp', 'partstat'], path);
      const person = this.person(item, path);
      if (!isObject(item)) return;
      const role = this.enumValue(
        item['role'],
        joinPath(path, 'role'),
        Object.keys(ROLES) as (keyof typeof ROLES)[],
        'required',
        (s) => s.toLowerCase(),
      );
      const kind = this.enumValue(
        item['kind'],
        joinPath(path, 'kind'),
        Object.keys(KINDS) as (keyof typeof KINDS)[],
        'person',
        (s) => s.toLowerCase(),
      );
      const rsvp = this.boolean(item['rsvp'], joinPath(path, 'rsvp'));
      const partstat = this.enumValue(
        item['partstat'],
        joinPath(path, 'partstat'),
        PARTSTATS,
        'NEEDS-ACTION',
        (s) => s.toUpperCase(),
      );
      if (
        person === undefined ||
        role === undefined ||
        kind === undefined ||
        partstat === undefined
      )
        return;
      const key = emailKey(person.email);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        this.fail(
          'duplicate-attendee',
          joinPath(path, 'email'),
          `"${person.email}" is already attendees[${earlier}] (addresses compare case-insensitively)`,
        );
        return;
      }
      seen.set(key, i);
      if (key === organizerKey) {
        // RFC 5546 allows it, but over SMTP the organizer would receive their own REQUEST and
        // Outlook then shows "you are the organizer" with no way to answer.
        this.fail(
          'organizer-is-attendee',
          joinPath(path, 'email'),
          'is the organizer; the organizer is not listed as an attendee',
        );
        return;
      }
      result.push({
        ...person,
        role: ROLES[role],
        cutype: KINDS[kind],
        // Non-participants are copied for information (RFC 5545 §3.2.16): no answer is expected.
        rsvp: rsvp ?? role !== 'non-participant',
        partstat,
      });
    });
    return result;
  }

  private alarms(value: unknown): Alarm[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail('wrong-type', 'alarms', 'must be an array like [{ "before": "PT15M" }]');
      return [];
    }
    const result: Alarm[] = [];
    value.forEach((item: unknown, i) => {
      const path = joinPath('alarms', i);
      if (!isObject(item))
        return this.fail('wrong-type', path, 'must be an object like { "before": "PT15M" }');
      this.unknownKeys(item, ['before'], path);
      const before = item['before'];
      if (typeof before !== 'string')
        return this.fail(
          before === undefined ? 'required' : 'wrong-type',
          joinPath(path, 'before'),
          'must be a duration like "PT15M"',
        );
      const d = parseDuration(before);
      if (!d.ok) return this.fail('invalid-duration', joinPath(path, 'before'), d.problem);
      result.push({ before: d.value.iso, seconds: durationSeconds(d.value) });
      return undefined;
    });
    return result;
  }
}
