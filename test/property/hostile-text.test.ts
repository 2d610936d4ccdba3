/**
 * Arbitrary text in every user field never adds a line, a property or a parameter, and round-trips
 * through ical.js (the calendar) and mailparser (the email) to exactly the sanitised value.
 */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildInvite, deterministicIds } from '../../src/flows/build-invite.ts';
import { readMessage } from '../../src/mime/read-message.ts';

const SPECIALS = [
  '\r',
  '\n',
  '\r\n',
  '"',
  "'",
  ';',
  ',',
  '\\',
  ':',
  '^',
  '=',
  '<',
  '>',
  '@',
  '\t',
  '\u0000',
  '\u2028',
  '=?UTF-8?B?',
  '?=',
  'BEGIN:VEVENT',
  ' ',
  'é',
  '日',
  '🎉',
];
const hostile = fc.string({
  unit: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
    { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 120,
});

interface Fields {
  summary: string;
  description: string;
  location: string;
  html: string;
  organizerName: string;
  names: string[];
}

function inviteOf(f: Fields): Record<string, unknown> {
  return {
    uid: 'property@example.com',
    summary: `S${f.summary}`,
    description: f.description,
    location: f.location,
    html: f.html,
    timeZone: 'Europe/Berlin',
    start: '2026-12-01T10:00',
    end: '2026-12-01T11:00',
    organizer: { name: f.organizerName, email: 'olga@example.com' },
    attendees: f.names.map((name, i) => ({ name, email: `p${i}@example.com` })),
  };
}

/** [component, property, sorted parameter names] for every property, as ical.js sees them. */
function structure(calendar: string): string[] {
  const out: string[] = [];
  const walk = (c: ICAL.Component) => {
    for (const p of c.getAllProperties()) {
      out.push(
        `${c.name}/${p.name};${Object.keys((p.toJSON() as [string, Record<string, unknown>])[1])
          .sort()
          .join(',')}`,
      );
    }
    c.getAllSubcomponents().forEach(walk);
  };
  walk(new ICAL.Component(ICAL.parse(calendar) as unknown[]));
  return out;
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

const neutral: Fields = {
  summary: 'x',
  description: 'x',
  location: 'x',
  html: 'x',
  organizerName: 'x',
  names: [],
};

describe('hostile text (property)', () => {
  it('never changes the calendar structure and round-trips every value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          summary: hostile,
          description: hostile,
          location: hostile,
          html: hostile,
          organizerName: hostile,
          names: fc.array(hostile, { minLength: 1, maxLength: 4 }),
        }),
        async (fields) => {
          let built;
          try {
            built = buildInvite(inviteOf(fields), { ids: deterministicIds('p', {}) });
          } catch (err) {
            // The only acceptable refusal is an all-space summary; never a character problem.
            expect(String(err)).toMatch(/summary/);
            return;
          }
          const invite = built.invite;
          // Same properties and parameters as an invite with plain "x" in every field (minus
          // fields that sanitised to nothing, which are simply absent).
          const reference = buildInvite(
            inviteOf({
              ...neutral,
              description: invite.description === undefined ? '' : 'x',
              location: invite.location === undefined ? '' : 'x',
              html: invite.html === undefined ? '' : 'x',
              names: invite.attendees.map((a) => (a.name === undefined ? '' : 'x')),
            }),
            { ids: deterministicIds('p', {}) },
          );
          expect(structure(built.calendar)).toEqual(structure(reference.calendar));

          const vevent = new ICAL.Component(
            ICAL.parse(built.calendar) as unknown[],
          ).getFirstSubcomponent('vevent');
          expect(vevent?.getFirstPropertyValue('summary')).toBe(invite.summary);
          // With HTML but no text in it, DESCRIPTION is present and empty.
          expect(vevent?.getFirstPropertyValue('description') ?? undefined).toBe(
            invite.description ?? (invite.html === undefined ? undefined : ''),
          );
          expect(vevent?.getFirstPropertyValue('location') ?? undefined).toBe(invite.location);
          // ical.js types unknown X- properties as raw text; Outlook reads X-ALT-DESC as TEXT.
          const altDesc = vevent?.getFirstPropertyValue('x-alt-desc');
          expect(
            altDesc === null || altDesc === undefined ? undefined : unescapeText(String(altDesc)),
          ).toBe(invite.html);
          // Parameter values are not backslash-escaped in iCalendar (RFC 5545 §3.2, RFC 6868 carets
          // only), and we write them that way; ical.js nevertheless un-escapes them like TEXT, so a
          // literal "\;" in a name reads back as ";" there. Model that quirk, nothing else.
          const cn = (name: string | undefined) =>
            name === undefined ? undefined : unescapeText(name);
          expect(vevent?.getFirstProperty('organizer')?.getParameter('cn')).toBe(
            cn(invite.organizer.name ?? invite.organizer.email),
          );
          expect(
            vevent?.getAllProperties('attendee').map((p) => p.getParameter('cn') ?? undefined),
          ).toEqual(invite.attendees.map((a) => cn(a.name)));

          const message = await readMessage(built.messages[0]?.raw ?? '');
          expect(message.to).toEqual(invite.attendees.map((a) => a.email));
          expect(message.from).toEqual(['olga@example.com']);
          expect(message.subject?.startsWith(`Invitation: ${invite.summary} @ `)).toBe(true);
          expect(message.calendars.map((c) => c.text)).toEqual([built.calendar, built.calendar]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
