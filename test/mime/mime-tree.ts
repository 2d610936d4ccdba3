/**
 * A deliberately small, strict reader of the MIME structure for the tests: it checks what
 * mailparser forgives (CRLF only, the blank line after the headers, exact delimiter lines) and
 * returns the tree so tests can assert the shape. Decoding of bodies is left to mailparser.
 */

export interface MimeNode {
  /** Unfolded header fields, names lower-cased, in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** Lower-cased `type/subtype`. */
  readonly type: string;
  /** Content-Type parameters, names lower-cased, quotes removed. */
  readonly params: Readonly<Record<string, string>>;
  /** The raw body (multipart bodies included). */
  readonly body: string;
  readonly children: readonly MimeNode[];
}

export function header(node: MimeNode, name: string): string | undefined {
  return node.headers.find(([key]) => key === name.toLowerCase())?.[1];
}

/** Splits `Name: value` lines (unfolded) from the body at the first empty line. */
function splitEntity(text: string): { headers: [string, string][]; body: string } {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error('no empty line after the headers');
  const headerText = text.slice(0, end);
  const body = text.slice(end + 4);
  const headers: [string, string][] = [];
  for (const line of headerText.split('\r\n')) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = headers[headers.length - 1];
      if (last === undefined) throw new Error('continuation line before any header');
      last[1] += line; // RFC 5322 §2.2.3: unfolding removes the CRLF only
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trimStart()]);
    }
  }
  return { headers, body };
}

function parseContentType(value: string | undefined): {
  type: string;
  params: Record<string, string>;
} {
  if (value === undefined) return { type: 'text/plain', params: {} };
  const [type = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim().toLowerCase();
    let val = part.slice(eq + 1).trim();
    if (val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
    params[key] = val;
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Parses an entity (a whole message or a body part) into a tree. */
export function readMimeTree(text: string): MimeNode {
  const { headers, body } = splitEntity(text);
  const { type, params } = parseContentType(headers.find(([key]) => key === 'content-type')?.[1]);
  const children: MimeNode[] = [];
  if (type.startsWith('multipart/')) {
    const boundary = params['boundary'];
    if (boundary === undefined) throw new Error('multipart without boundary');
    const delimiter = '--' + boundary;
    const close = delimiter + '--';
    if (!body.startsWith(delimiter + '\r\n'))
      throw new Error('multipart body must open with its delimiter');
    const end = body.indexOf('\r\n' + close);
    if (end === -1) throw new Error('no close delimiter');
    const epilogue = body.slice(end + 2 + close.length);
    if (epilogue !== '\r\n' && epilogue !== '')
      throw new Error(`unexpected epilogue ${JSON.stringify(epilogue)}`);
    const inner = body.slice(delimiter.length + 2, end);
    for (const part of inner.split('\r\n' + delimiter + '\r\n')) children.push(readMimeTree(part));
  }
  return { headers, type, params, body, children };
}

/** `multipart/mixed[multipart/alternative[text/plain,…],application/ics]` */
export function describeShape(node: MimeNode): string {
  return node.children.length === 0
    ? node.type
    : `${node.type}[${node.children.map(describeShape).join(',')}]`;
}
