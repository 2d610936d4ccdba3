/**
 * The addresses of an address header as written (From, Sender, Reply-To: RFC 5322 §3.4), for rules
 * that compare them with calendar addresses. Tolerant and linear: quoted strings, nested comments,
 * `name <addr>`, bare addr-specs, groups (`team: a@x, b@y;`) and obsolete forms are read without
 * throwing; whatever is not an address is skipped. Display names are not decoded (not needed).
 */

/** Hostile input can list thousands of addresses; a rule needs the first few. */
const MAX_ADDRESSES = 50;

/** Lower-cased `local@domain` addresses of a header value, in order. */
export function headerAddresses(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  let text = '';
  let angle: string | undefined;
  let angled: string | undefined;
  let quoted = false;
  let comment = 0;
  const finish = (): void => {
    const candidate = (angled ?? text).trim();
    // A bare addr-spec has no spaces; anything else left over is a display name without <…>.
    if (out.length < MAX_ADDRESSES && /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/.test(candidate))
      out.push(candidate.replace(/^mailto:/i, '').toLowerCase());
    text = '';
    angled = undefined;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (c === '\\') i++;
      else if (c === '(') comment++;
      else if (c === ')') comment--;
      continue;
    }
    if (angle !== undefined) {
      if (c === '>') {
        // obs-route `<@relay:user@host>`: the address is after the last ':'.
        angled = angle.slice(angle.lastIndexOf(':') + 1);
        angle = undefined;
      } else angle += c;
      continue;
    }
    switch (c) {
      case '"':
        quoted = true;
        break;
      case '(':
        comment = 1;
        break;
      case '<':
        angle = '';
        break;
      case ',':
      case ';':
        finish();
        break;
      case ':':
        // A group's display name ends here (`undisclosed-recipients:;`).
        text = '';
        break;
      default:
        text += c;
    }
  }
  if (angle !== undefined) angled = angle;
  finish();
  return out;
}
