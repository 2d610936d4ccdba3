/**
 * Received bytes → headers and calendar parts. The only module that imports mailparser (the adapter).
 * mailparser flattens the MIME tree and exposes text/calendar and application/ics parts as
 * "attachments"; that is all the demo and the tests need (the inspector walks the tree itself).
 */
import { simpleParser, type AddressObject } from 'mailparser';

export interface ReadCalendarPart {
  /** Lower-case media type: text/calendar or application/ics. */
  readonly contentType: string;
  /** The `method=` parameter of the part's Content-Type, upper-cased, if any. */
  readonly method?: string;
  readonly charset?: string;
  readonly disposition?: string;
  readonly filename?: string;
  /** Decoded calendar text. */
  readonly text: string;
}

export interface ReadMessage {
  readonly subject?: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly messageId?: string;
  readonly date?: Date;
  readonly text?: string;
  readonly html?: string;
  readonly calendars: readonly ReadCalendarPart[];
  /** Lower-case header name → first raw value (after unfolding). */
  readonly headers: ReadonlyMap<string, string>;
}

export async function readMessage(raw: Buffer | string): Promise<ReadMessage> {
  const mail = await simpleParser(raw, {
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
  });
  const calendars: ReadCalendarPart[] = [];
  for (const part of mail.attachments) {
    const contentType = part.contentType.toLowerCase();
    if (contentType !== 'text/calendar' && contentType !== 'application/ics') continue;
    const header = part.headers.get('content-type');
    const params =
      typeof header === 'object' && header !== null && 'params' in header
        ? (header.params as Record<string, string>)
        : {};
    const method = params['method'];
    const charset = params['charset'];
    calendars.push({
      contentType,
      ...(method === undefined ? {} : { method: method.toUpperCase() }),
      ...(charset === undefined ? {} : { charset }),
      ...(part.contentDisposition === undefined ? {} : { disposition: part.contentDisposition }),
      ...(part.filename === undefined ? {} : { filename: part.filename }),
      text: part.content.toString('utf8'),
    });
  }
  const headers = new Map<string, string>();
  for (const line of mail.headerLines) {
    if (!headers.has(line.key))
      headers.set(line.key, line.line.slice(line.line.indexOf(':') + 1).trim());
  }
  return {
    ...(mail.subject === undefined ? {} : { subject: mail.subject }),
    from: addresses(mail.from),
    to: addresses(mail.to),
    ...(mail.messageId === undefined ? {} : { messageId: mail.messageId }),
    ...(mail.date === undefined ? {} : { date: mail.date }),
    ...(mail.text === undefined ? {} : { text: mail.text }),
    ...(typeof mail.html === 'string' ? { html: mail.html } : {}),
    calendars,
    headers,
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((group) => group.value.map((a) => a.address ?? '')).filter((a) => a !== '');
}
