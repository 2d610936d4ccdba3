import { paramValue } from '../calendar-model.ts';
import { MAX_PROBLEMS_PER_CODE } from '../calendar-problem-log.ts';
import { TEXT_LIST_PROPERTIES, TEXT_PROPERTIES, checkTextValue } from '../calendar-value-checks.ts';
import { defineRule } from '../inspect-types.ts';
import { componentsWithPaths } from '../rule-helpers.ts';

// RFC 5545 §3.3.11: in a TEXT value ";" and "," MUST be escaped as "\;" and "\,", a backslash as
// "\\", a line break as "\n"; no other backslash sequence exists. Lenient parsers keep a stray
// ";" or "," as written, but a parser that treats the value as structured or multi-valued cuts the
// text there, and an unknown escape such as "\t" or "\:" is shown with its backslash (ical.js
// leaves it as written). In CATEGORIES and RESOURCES an unescaped "," separates values and is
// fine. A raw line break cannot survive unfolding: the scanner reports it as what it became
// (malformed-line, empty-line), so this rule covers what checkTextValue detects.
export const unescapedText = defineRule({
  id: 'unescaped-text',
  category: 'syntax',
  severity: 'warning',
  summary:
    'A TEXT value (SUMMARY, DESCRIPTION, LOCATION…) has an unescaped ";" or "," or a bad backslash escape.',
  fix: 'Escape TEXT values: \\ as \\\\, ; as \\;, , as \\, and line breaks as \\n.',
  source: 'RFC 5545 §3.3.11',
  *check(context) {
    const part = context.primary;
    if (part?.vcalendar === undefined) return;
    let shown = 0;
    let more = 0;
    for (const { component, path } of componentsWithPaths(part.vcalendar, part.path)) {
      for (const property of component.properties) {
        const list = TEXT_LIST_PROPERTIES.has(property.name);
        if (!list && !TEXT_PROPERTIES.has(property.name)) continue;
        // VALUE=BINARY, VALUE=URI…: not TEXT, so not TEXT-escaped.
        const type = paramValue(property, 'VALUE');
        if (type !== undefined && type.toUpperCase() !== 'TEXT') continue;
        const problems = checkTextValue(property.value, { list });
        if (problems.length === 0) continue;
        if (shown >= MAX_PROBLEMS_PER_CODE) {
          more++;
          continue;
        }
        shown++;
        yield {
          message: `${property.name}: ${problems.join('; ')}`,
          path: `${path}/${property.name}`,
          line: property.line,
        };
      }
    }
    if (more > 0) {
      yield {
        message: `…and ${more} more TEXT values with escaping problems not listed`,
        path: part.path,
      };
    }
  },
});
