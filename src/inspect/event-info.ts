/** Event summaries from the raw scan: what was written, robust to calendars ical.js refuses. */
import {
  addressOf,
  paramValue,
  propertiesNamed,
  type Component,
  type ContentLine,
} from './calendar-model.ts';
import type { AttendeeInfo, EventInfo, TimeInfo } from './inspect-types.ts';
import { unescapeText } from './scan-calendar.ts';

export function eventsFromScan(vevents: readonly Component[]): EventInfo[] {
  return vevents.map((vevent) => {
    const first = (name: string): ContentLine | undefined => propertiesNamed(vevent, name)[0];
    const text = (name: string): string | undefined => {
      const line = first(name);
      return line === undefined ? undefined : unescapeText(line.value);
    };
    const sequenceText = first('SEQUENCE')?.value.trim();
    const sequence =
      sequenceText !== undefined && /^\d{1,10}$/.test(sequenceText)
        ? Number(sequenceText)
        : undefined;
    const organizer = first('ORGANIZER');
    const start = timeOf(first('DTSTART'));
    const end = timeOf(first('DTEND'));
    const fields = {
      uid: text('UID'),
      recurrenceId: first('RECURRENCE-ID')?.value,
      dtstamp: first('DTSTAMP')?.value,
      status: first('STATUS')?.value.trim().toUpperCase(),
      summary: text('SUMMARY'),
    };
    return {
      ...definedOnly(fields),
      ...(sequence === undefined ? {} : { sequence }),
      ...(organizer === undefined
        ? {}
        : {
            organizer: {
              address: addressOf(organizer.value),
              ...definedOnly({
                cn: paramValue(organizer, 'CN'),
                sentBy: optionalAddress(paramValue(organizer, 'SENT-BY')),
              }),
            },
          }),
      attendees: propertiesNamed(vevent, 'ATTENDEE').map(attendeeOf),
      ...(start === undefined ? {} : { start }),
      ...(end === undefined ? {} : { end }),
    };
  });
}

function attendeeOf(line: ContentLine): AttendeeInfo {
  return {
    address: addressOf(line.value),
    ...definedOnly({
      cn: paramValue(line, 'CN'),
      role: paramValue(line, 'ROLE')?.toUpperCase(),
      partstat: paramValue(line, 'PARTSTAT')?.toUpperCase(),
      rsvp: paramValue(line, 'RSVP')?.toUpperCase(),
      cutype: paramValue(line, 'CUTYPE')?.toUpperCase(),
    }),
  };
}

function timeOf(line: ContentLine | undefined): TimeInfo | undefined {
  if (line === undefined) return undefined;
  const value = line.value.trim();
  const tzid = paramValue(line, 'TZID');
  const utc = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return {
    value,
    ...(tzid === undefined ? {} : { tzid }),
    ...(utc ? { utc: `${utc[1]}-${utc[2]}-${utc[3]}T${utc[4]}:${utc[5]}:${utc[6]}.000Z` } : {}),
  };
}

function optionalAddress(value: string | undefined): string | undefined {
  return value === undefined ? undefined : addressOf(value);
}

function definedOnly<T extends Record<string, string | undefined>>(
  fields: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}
