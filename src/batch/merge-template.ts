/**
 * Rows as variables merged into a template (`smtp-invite batch --template event.json`). The
 * template is parsed JSON (an invite input); any STRING value in it, at any depth, may hold
 * `{{name}}` placeholders (name: letters, digits, `_`, `-`, `.`; spaces or tabs inside the braces
 * are allowed: `{{ name }}`). Object keys are never substituted.
 *
 * - A string that is exactly one placeholder takes the row's value as is, with its JSON type
 *   (`"attendees": "{{attendees}}"` with a JSONL array gives an array). When that value is '' or
 *   null (an empty CSV cell), the property is removed from its object, and an array item is
 *   removed from its array (so optional values need no special syntax). At the top of the template
 *   (a template that is one placeholder) the value is kept as is.
 * - Inside a longer string the value becomes text: strings as they are, numbers and booleans with
 *   String(), null as ''. An object or array there is a problem.
 * - A placeholder whose name the row lacks is a problem. Every problem of the row is collected,
 *   each naming the JSON path of the template value (`attendees[0].email: …`).
 * - `\{{` writes a literal `{{` (the backslash is dropped; in the JSON file that is `"\\{{"`). A
 *   backslash means nothing elsewhere. A `{{` that starts no valid placeholder (`{{first name}}`)
 *   is a problem rather than literal text, so a typo never goes out to every recipient.
 *
 * Substitution works on parsed values, never on JSON text: a value holding quotes, backslashes,
 * CR/LF or `{{other}}` cannot change the structure or fill another placeholder (values are never
 * scanned for placeholders).
 */
import { joinPath } from '../diagnostics.ts';

export type MergeResult =
  | { readonly ok: true; readonly input: unknown }
  | { readonly ok: false; readonly problems: string[] };

/** Deeper templates are refused (an invite is 4 levels deep); keeps the recursion bounded. */
const MAX_DEPTH = 100;

const PLACEHOLDER = /\{\{[ \t]*([A-Za-z0-9_.-]+)[ \t]*\}\}/y;

type Piece = string | { readonly name: string };

interface ParsedString {
  readonly pieces: readonly Piece[];
  /** How many `{{` start no valid placeholder. */
  readonly malformed: number;
}

/** Splits a template string into literal text and placeholders. Linear in the string's length. */
function parseString(s: string): ParsedString {
  const pieces: Piece[] = [];
  let text = '';
  let malformed = 0;
  let i = 0;
  for (;;) {
    const open = s.indexOf('{{', i);
    if (open === -1) {
      text += s.slice(i);
      break;
    }
    if (open > 0 && s[open - 1] === '\\') {
      text += `${s.slice(i, open - 1)}{{`;
      i = open + 2;
      continue;
    }
    PLACEHOLDER.lastIndex = open;
    const match = PLACEHOLDER.exec(s);
    const name = match?.[1];
    if (name === undefined) {
      malformed += 1;
      text += s.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    text += s.slice(i, open);
    if (text !== '') pieces.push(text);
    text = '';
    pieces.push({ name });
    i = PLACEHOLDER.lastIndex;
  }
  if (text !== '') pieces.push(text);
  return { pieces, malformed };
}

const where = (path: string) => (path === '' ? 'template' : path);

const REMOVE = Symbol('remove');

class Merger {
  readonly problems: string[] = [];
  private readonly record: Readonly<Record<string, unknown>>;
  constructor(record: Readonly<Record<string, unknown>>) {
    this.record = record;
  }

  value(template: unknown, path: string, depth: number): unknown {
    if (typeof template === 'string') return this.string(template, path, depth === 0);
    if (typeof template !== 'object' || template === null) return template;
    if (depth >= MAX_DEPTH) {
      this.problems.push(
        `${where(path)}: the template nests deeper than ${String(MAX_DEPTH)} levels`,
      );
      return template;
    }
    if (Array.isArray(template)) {
      const out: unknown[] = [];
      template.forEach((item: unknown, i) => {
        const merged = this.value(item, joinPath(path, i), depth + 1);
        if (merged !== REMOVE) out.push(merged);
      });
      return out;
    }
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(template)) {
      const merged = this.value(item, joinPath(path, key), depth + 1);
      if (merged !== REMOVE) entries.push([key, merged]);
    }
    // fromEntries defines own properties: a "__proto__" key stays a key, never a prototype.
    return Object.fromEntries(entries);
  }

  private lookup(name: string, path: string): unknown {
    const value = Object.hasOwn(this.record, name) ? this.record[name] : undefined;
    if (value === undefined) {
      this.problems.push(
        `${where(path)}: the template uses {{${name}}} but the row has no ${name}`,
      );
    }
    return value;
  }

  private string(s: string, path: string, root: boolean): unknown {
    if (!s.includes('{{')) return s;
    const { pieces, malformed } = parseString(s);
    if (malformed > 0) {
      this.problems.push(
        `${where(path)}: "{{" starts no placeholder: write {{name}} (letters, digits, _ - .), or \\{{ for a literal {{`,
      );
    }
    const only = pieces.length === 1 ? pieces[0] : undefined;
    if (only !== undefined && typeof only !== 'string' && malformed === 0) {
      const value = this.lookup(only.name, path);
      if (value === undefined) return s;
      // An empty cell (or null) removes the property / the array item (see the module comment).
      return (value === '' || value === null) && !root ? REMOVE : value;
    }
    let text = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        text += piece;
        continue;
      }
      const value = this.lookup(piece.name, path);
      if (value === undefined) continue;
      if (value === null) continue; // null reads as nothing
      if (typeof value === 'object') {
        this.problems.push(
          `${where(path)}: {{${piece.name}}} is ${Array.isArray(value) ? 'an array' : 'an object'}; it can only fill a whole value`,
        );
        continue;
      }
      if (typeof value === 'string') text += value;
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
        text += String(value);
      else this.problems.push(`${where(path)}: {{${piece.name}}} cannot be written as text`);
    }
    return text;
  }
}

/**
 * The template with the row's values in place of its placeholders, or every problem found. Neither
 * the template nor the record is modified; the result shares the record's object values.
 */
export function mergeTemplate(
  template: unknown,
  record: Readonly<Record<string, unknown>>,
): MergeResult {
  const merger = new Merger(record);
  const input = merger.value(template, '', 0);
  return merger.problems.length > 0
    ? { ok: false, problems: merger.problems }
    : { ok: true, input };
}

/** The placeholder names a template uses, sorted and without repeats (to check a CSV header). */
export function listPlaceholders(template: unknown): string[] {
  const names = new Set<string>();
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return;
      for (const piece of parseString(value).pieces) {
        if (typeof piece !== 'string') names.add(piece.name);
      }
      return;
    }
    if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return;
    for (const item of Array.isArray(value) ? (value as unknown[]) : Object.values(value)) {
      walk(item, depth + 1);
    }
  };
  walk(template, 0);
  return [...names].sort();
}
