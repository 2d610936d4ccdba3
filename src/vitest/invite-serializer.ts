/**
 * A snapshot serializer for invitation emails and .ics text: volatile values (Message-ID, MIME
 * boundaries, Date, DTSTAMP, generated UUIDs) are replaced by stable placeholders and base64 text
 * parts are shown decoded, so a snapshot changes only when the invitation really does.
 *   expect.addSnapshotSerializer(inviteSerializer)
 */

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

export function normalizeInvite(text: string): string {
  let out = text.replace(/\r\n/g, '\n');
  out = decodeBase64Parts(out);
  const boundaries = [...out.matchAll(/boundary="?([^";\n]+)"?/gi)].map((m) => m[1] ?? '');
  boundaries.forEach((b, i) => {
    if (b !== '') out = out.split(b).join(`BOUNDARY-${i + 1}`);
  });
  const ids = new Map<string, string>();
  out = out
    .replace(
      /^(Message-ID|Date|X-Mailer):.*$/gim,
      (_, name: string) => `${name}: <${name.toUpperCase()}>`,
    )
    .replace(/^DTSTAMP:\d{8}T\d{6}Z$/gm, 'DTSTAMP:<DTSTAMP>')
    .replace(UUID, (id) => {
      const key = id.toLowerCase();
      if (!ids.has(key)) ids.set(key, `UUID-${ids.size + 1}`);
      return ids.get(key) ?? id;
    });
  return out;
}

/** Replaces the body of base64 text/* parts by their decoded text (marked), so it can be read. */
function decodeBase64Parts(text: string): string {
  return text.replace(
    /(Content-Type: text\/[^\n]*\n(?:[ \t][^\n]*\n|[A-Za-z-]+:[^\n]*\n)*?Content-Transfer-Encoding: base64\n(?:[A-Za-z-]+:[^\n]*\n)*\n)([A-Za-z0-9+/=\n]+?)(\n--|\n*$)/gi,
    (_, head: string, body: string, tail: string) =>
      `${head.replace(/base64/i, 'base64 (shown decoded)')}${Buffer.from(body.replace(/\n/g, ''), 'base64').toString('utf8').replace(/\r\n/g, '\n')}${tail}`,
  );
}

function looksLikeInvite(value: unknown): value is string | Buffer {
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) return false;
  const head = (
    typeof value === 'string' ? value : value.subarray(0, 4096).toString('latin1')
  ).slice(0, 4096);
  return (
    /BEGIN:VCALENDAR/i.test(head) ||
    /^content-type:\s*(multipart|text\/calendar)/im.test(head) ||
    /^MIME-Version:/im.test(head)
  );
}

export const inviteSerializer = {
  test: looksLikeInvite,
  serialize(value: string | Buffer): string {
    return normalizeInvite(typeof value === 'string' ? value : value.toString('utf8'));
  },
};
