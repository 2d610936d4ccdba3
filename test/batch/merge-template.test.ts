/** Rows merged into a `--template` invite: placeholders, types, removal, problems, no injection. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listPlaceholders, mergeTemplate } from '../../src/batch/merge-template.ts';
import { readRows, type SourceRow } from '../../src/batch/read-rows.ts';
import { validateInvite } from '../../src/model/validate-invite.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/batch/${name}`, import.meta.url));
const template: unknown = JSON.parse(readFileSync(fixture('template.json'), 'utf8'));

function merged(t: unknown, record: Record<string, unknown>): unknown {
  const result = mergeTemplate(t, record);
  if (!result.ok) throw new Error(`unexpected problems: ${result.problems.join('; ')}`);
  return result.input;
}

function problems(t: unknown, record: Record<string, unknown>): string[] {
  const result = mergeTemplate(t, record);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

async function rowsOf(file: string): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of readRows(fixture(file), {
    format: file.endsWith('.csv') ? 'csv' : 'jsonl',
  }))
    rows.push(row);
  return rows;
}

describe('mergeTemplate with the fixtures', () => {
  it('turns every row of rows.csv and rows.jsonl into a valid invite', async () => {
    for (const file of ['rows.csv', 'rows.jsonl']) {
      const rows = await rowsOf(file);
      expect(rows).toHaveLength(5);
      const inputs = rows.map((row) => merged(template, row.record));
      for (const input of inputs) expect(validateInvite(input).ok).toBe(true);
      const attendees = inputs.map((input) => (input as { attendees: unknown[] }).attendees[0]);
      expect(attendees).toEqual([
        { name: 'Ada Lovelace', email: 'ada@example.net' },
        { name: 'Smith, Bob "Bobby"', email: 'bob@example.net' },
        // The empty name cell (CSV '') or null (JSONL) removes the property.
        { email: 'carol@example.net' },
        { name: 'Zoë Ångström-Dvořák', email: 'zoe@example.org' },
        { name: '李雷', email: 'li@example.org' },
      ]);
      const first = inputs[0] as { description: string; url: string };
      expect(first.url).toBe('https://webinar.example.com/j/1001?pwd=a1');
      expect(first.description).toBe(
        'Your personal join link: https://webinar.example.com/j/1001?pwd=a1\nPlease do not share it: it admits one person.',
      );
    }
  });

  it('lists the placeholders of the template, sorted, for checking a CSV header', () => {
    expect(listPlaceholders(template)).toEqual(['email', 'join_url', 'name']);
  });

  it('does not modify the template', () => {
    const before = JSON.stringify(template);
    merged(template, { email: 'a@x.example', name: 'A', join_url: 'https://x.example/j' });
    expect(JSON.stringify(template)).toBe(before);
  });
});

describe('mergeTemplate: values', () => {
  it('fills a whole value with the row value as is, keeping its JSON type', () => {
    const t = {
      sequence: '{{seq}}',
      allDay: '{{all_day}}',
      attendees: '{{attendees}}',
      organizer: '{{organizer}}',
    };
    const attendees = [{ email: 'a@x.example' }, { email: 'b@x.example', role: 'optional' }];
    expect(
      merged(t, {
        seq: 3,
        all_day: false,
        attendees,
        organizer: { email: 'o@x.example' },
      }),
    ).toEqual({ sequence: 3, allDay: false, attendees, organizer: { email: 'o@x.example' } });
  });

  it('removes a property whose whole-value placeholder is empty or null, and such an array item', () => {
    const t = {
      location: '{{room}}',
      description: '{{notes}}',
      attendees: [{ email: '{{a}}', name: '{{a_name}}' }, '{{extra}}', '{{more}}'],
      recurrence: { rrule: 'FREQ=WEEKLY', exdates: ['{{skip1}}', '{{skip2}}'] },
    };
    expect(
      merged(t, {
        room: '',
        notes: null,
        a: 'a@x.example',
        a_name: '',
        extra: null,
        more: { email: 'm@x.example' },
        skip1: '',
        skip2: '2026-12-24T10:00',
      }),
    ).toEqual({
      attendees: [{ email: 'a@x.example' }, { email: 'm@x.example' }],
      recurrence: { rrule: 'FREQ=WEEKLY', exdates: ['2026-12-24T10:00'] },
    });
  });

  it('writes values as text inside a longer string: numbers and booleans with String(), null as nothing', () => {
    const t = { summary: 'Room {{room}} / seat {{seat}} / vip {{vip}} / {{none}}!' };
    expect(merged(t, { room: 'Ω-1', seat: 12.5, vip: true, none: null })).toEqual({
      summary: 'Room Ω-1 / seat 12.5 / vip true / !',
    });
  });

  it('allows spaces inside the braces and names with letters, digits, _ - .', () => {
    const t = { a: '{{ first_name }}', b: '{{\tuser.e-mail2 }}', c: 'x{{  N  }}y' };
    expect(merged(t, { first_name: 'Ada', 'user.e-mail2': 'a@x.example', N: 1 })).toEqual({
      a: 'Ada',
      b: 'a@x.example',
      c: 'x1y',
    });
  });

  it('never substitutes object keys', () => {
    expect(merged({ '{{k}}': '{{v}}' }, { k: 'key', v: 'value' })).toEqual({ '{{k}}': 'value' });
  });

  it('writes \\{{ as a literal {{ (and then reads no placeholder there)', () => {
    const t = { description: 'Use \\{{name}} in Handlebars, not {{name}}; \\{{ alone too' };
    expect(merged(t, { name: 'Ada' })).toEqual({
      description: 'Use {{name}} in Handlebars, not Ada; {{ alone too',
    });
    expect(listPlaceholders(t)).toEqual(['name']);
    expect(listPlaceholders({ x: '\\{{only}}' })).toEqual([]);
  });

  it('leaves strings without {{ and non-string values alone', () => {
    const t = { a: 'plain } { }}', b: 3, c: true, d: null, e: [1, 'x'] };
    expect(merged(t, {})).toEqual(t);
  });

  it('keeps a "__proto__" key of the template as a key', () => {
    const t = JSON.parse('{"__proto__": {"x": "{{v}}"}, "a": "{{v}}"}') as unknown;
    const out = merged(t, { v: 'ok' }) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out['a']).toBe('ok');
  });

  it('keeps the value of a template that is one placeholder, even empty', () => {
    expect(merged('{{x}}', { x: '' })).toBe('');
    expect(merged('{{x}}', { x: { summary: 's' } })).toEqual({ summary: 's' });
  });
});

describe('mergeTemplate: problems', () => {
  it('names the template path of a placeholder the row lacks, and collects every problem', () => {
    const t = {
      location: '{{room}}',
      description: 'Join: {{join_url}} ({{pin}})',
      attendees: [{ email: '{{email}}' }, { email: '{{email2}}', name: '{{name}}' }],
    };
    expect(problems(t, { email: 'a@x.example', name: 'Ann' })).toEqual([
      'location: the template uses {{room}} but the row has no room',
      'description: the template uses {{join_url}} but the row has no join_url',
      'description: the template uses {{pin}} but the row has no pin',
      'attendees[1].email: the template uses {{email2}} but the row has no email2',
    ]);
  });

  it('does not take inherited names (constructor, toString) or undefined as row values', () => {
    expect(
      problems({ a: '{{constructor}}', b: 'x{{toString}}', c: '{{u}}' }, { u: undefined }),
    ).toEqual([
      'a: the template uses {{constructor}} but the row has no constructor',
      'b: the template uses {{toString}} but the row has no toString',
      'c: the template uses {{u}} but the row has no u',
    ]);
  });

  it('refuses an object or array inside a longer string', () => {
    expect(problems({ summary: 'For {{who}} and {{list}}' }, { who: { a: 1 }, list: [1] })).toEqual(
      [
        'summary: {{who}} is an object; it can only fill a whole value',
        'summary: {{list}} is an array; it can only fill a whole value',
      ],
    );
  });

  it('refuses a {{ that starts no placeholder (a typo must not reach every recipient)', () => {
    for (const text of ['Hi {{first name}}', '{{}}', '{{name', '{{{name}}}', 'a {{ é }}']) {
      expect(problems({ description: text }, { name: 'x', 'first name': 'x' })).toEqual([
        'description: "{{" starts no placeholder: write {{name}} (letters, digits, _ - .), or \\{{ for a literal {{',
      ]);
    }
  });

  it('refuses a template nested absurdly deep without overflowing the stack', () => {
    let deep: unknown = '{{x}}';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const found = problems(deep, { x: 1 });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/the template nests deeper than 100 levels$/);
    expect(listPlaceholders(deep)).toEqual([]);
  });
});

describe('mergeTemplate: substitution is on values, never on JSON text', () => {
  const shape = {
    whole: '{{a}}',
    text: 'before {{b}} middle {{a}} after',
    list: ['{{c}}', 'x{{c}}'],
    nested: { deeper: [{ value: '{{b}}' }] },
  };

  it('puts arbitrary strings in exactly, without structure changes or further substitution', () => {
    const nonEmpty = fc.string({ minLength: 1, unit: 'binary' });
    const tricky = fc.constantFrom(
      '"',
      '\\',
      '\r\n',
      '{{b}}',
      '{{ a }}',
      '\\{{c}}',
      '"},{"x":1',
      '}}',
    );
    const value = fc.oneof(
      nonEmpty,
      tricky,
      fc.array(tricky, { minLength: 1 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(value, value, value, (a, b, c) => {
        const out = merged(shape, { a, b, c });
        expect(out).toEqual({
          whole: a,
          text: `before ${b} middle ${a} after`,
          list: [c, `x${c}`],
          nested: { deeper: [{ value: b }] },
        });
      }),
    );
  });

  it('keeps any JSON value of a whole-value placeholder as is (except "" and null, which remove)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const out = merged({ keep: 'k', v: '{{v}}' }, { v: value });
        if (value === '' || value === null) expect(out).toEqual({ keep: 'k' });
        else expect(out).toEqual({ keep: 'k', v: value });
      }),
    );
  });
});
