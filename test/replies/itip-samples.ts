/** Hand-made iTIP answers for the replies tests: small, CRLF, each varying one thing. */

export interface SampleOptions {
  readonly method?: string | null;
  readonly mimeMethod?: string | null;
  readonly messageId?: string | null;
  readonly from?: string;
  readonly vevents?: readonly string[][];
}

/** A VEVENT's lines (without BEGIN/END). */
export function eventLines(
  overrides: Record<string, string | null> = {},
  extra: string[] = [],
): string[] {
  const base: Record<string, string | null> = {
    UID: 'UID:meeting-1@example.com',
    SEQUENCE: 'SEQUENCE:2',
    DTSTAMP: 'DTSTAMP:20261121T090000Z',
    ORGANIZER: 'ORGANIZER;CN=Olga:mailto:olga@example.com',
    ATTENDEE: 'ATTENDEE;PARTSTAT=ACCEPTED;CN="Lovelace, Ada":MAILTO:Ada@Example.COM',
    ...overrides,
  };
  return [...Object.values(base).filter((v): v is string => v !== null), ...extra];
}

export function calendarText(method: string | null, vevents: readonly string[][]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//test//EN',
    ...(method === null ? [] : [`METHOD:${method}`]),
    ...vevents.flatMap((lines) => ['BEGIN:VEVENT', ...lines, 'END:VEVENT']),
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** A one-part iMIP email as Thunderbird sends replies (text/calendar as the whole message). */
export function replyEmail(options: SampleOptions = {}): Buffer {
  const method = options.method === undefined ? 'REPLY' : options.method;
  const mimeMethod = options.mimeMethod === undefined ? method : options.mimeMethod;
  const calendar = calendarText(method, options.vevents ?? [eventLines()]);
  const headers = [
    `From: ${options.from ?? 'Ada <ada@example.com>'}`,
    'To: olga@example.com',
    'Subject: Accepted: Meeting',
    ...(options.messageId === null
      ? []
      : [`Message-ID: <${options.messageId ?? 'reply-1@example.com'}>`]),
    'MIME-Version: 1.0',
    `Content-Type: text/calendar; charset=UTF-8${mimeMethod === null ? '' : `; method=${mimeMethod}`}`,
    'Content-Transfer-Encoding: 8bit',
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${calendar}`, 'utf8');
}
