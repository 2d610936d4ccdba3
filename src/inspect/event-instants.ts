/**
 * The UTC instants of DTSTART/DTEND, from the scan. A TZID is resolved as clients do: by the
 * calendar's own VTIMEZONE first (Outlook, Thunderbird), else by its name when it is an IANA or a
 * Windows zone (Gmail, Apple; CLDR's windowsZones). Only the zone arithmetic goes through ical.js,
 * one VTIMEZONE at a time: parsing the whole calendar again with ical.js cost more than every
 * rule together on small messages.
 */
import { DateTime } from 'luxon';
import { instantInVtimezone, type LocalTime } from '../ical/read-calendar.ts';
import { componentsNamed, propertiesNamed, type Component } from './calendar-model.ts';
import type { EventInfo, TimeInfo } from './inspect-types.ts';
import { unescapeText } from './calendar-value-checks.ts';
import { resolveTzid } from './windows-zones.ts';

const LOCAL = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/;

export function withInstants(vcalendar: Component, events: readonly EventInfo[]): EventInfo[] {
  let zones: Map<string, string> | undefined;
  const resolve = (time: TimeInfo | undefined): TimeInfo | undefined => {
    if (time?.tzid === undefined || time.utc !== undefined) return time;
    const match = LOCAL.exec(time.value);
    if (match === null) return time;
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    zones ??= vtimezoneTexts(vcalendar);
    const utc = instantOf(time.tzid, { year, month, day, hour, minute, second }, zones);
    return utc === undefined ? time : { ...time, utc };
  };
  return events.map((event) => {
    const start = resolve(event.start);
    const end = resolve(event.end);
    return {
      ...event,
      ...(start === undefined ? {} : { start }),
      ...(end === undefined ? {} : { end }),
    };
  });
}

function instantOf(
  tzid: string,
  local: LocalTime,
  zones: ReadonlyMap<string, string>,
): string | undefined {
  const vtimezone = zones.get(tzid);
  if (vtimezone !== undefined) {
    const utc = instantInVtimezone(vtimezone, local);
    if (utc !== undefined) return utc;
  }
  const iana = resolveTzid(tzid)?.iana;
  if (iana === undefined) return undefined;
  const dt = DateTime.fromObject(local, { zone: iana });
  return dt.isValid ? (dt.toUTC().toISO() ?? undefined) : undefined;
}

/**
 * TZID → the VTIMEZONE re-serialised from the scan (unfolded lines, parameters as written), for
 * VTIMEZONEs that define at least one observance (others are unusable: the name decides).
 */
function vtimezoneTexts(vcalendar: Component): Map<string, string> {
  const zones = new Map<string, string>();
  for (const vtimezone of componentsNamed(vcalendar, 'VTIMEZONE')) {
    const written = propertiesNamed(vtimezone, 'TZID')[0]?.value;
    if (written === undefined || vtimezone.components.length === 0) continue;
    // TZID is TEXT: Exchange escapes the commas in it ("Bangkok\, Hanoi") while the TZID= parameter
    // carries them quoted; both name the same zone.
    const tzid = unescapeText(written);
    if (!zones.has(tzid)) zones.set(tzid, serialise(vtimezone).join('\r\n'));
  }
  return zones;
}

function serialise(component: Component): string[] {
  return [
    `BEGIN:${component.name}`,
    ...component.properties.map(
      (p) =>
        `${p.name}${p.params
          .map(
            (param) =>
              `;${param.name}=${param.values.map((v) => (v.quoted ? `"${v.value}"` : v.value)).join(',')}`,
          )
          .join('')}:${p.value}`,
    ),
    ...component.components.flatMap(serialise),
    `END:${component.name}`,
  ];
}
