import { paramValue, propertiesNamed } from '../calendar-model.ts';
import type { InspectContext } from '../inspect-types.ts';
import { defineRule } from '../inspect-types.ts';
import { headerValue, walkMime } from '../mime-model.ts';
import { eventPath, primaryEvents } from '../rule-helpers.ts';

// RFC 5545 §3.8.1.1: ATTACH is a URI (or inline BINARY). A file: URI, a drive or UNC path, or a bare
// path names a file on the sender's machine, which no attendee can open; a cid: URI (RFC 2392, the
// way RFC 6047 §2.4 attaches files to an iMIP message) must name a body part of the same message.
// Clients simply show a dead link, and that is not documented per client, hence severity info and
// no client effect. Only the VEVENTs' own ATTACH properties are checked (a VALARM's ATTACH is an
// alarm sound for the organizer's device).
const MAX_HITS = 20;

function localKind(value: string): string | undefined {
  if (/^file:/i.test(value)) return 'a file: URI';
  if (/^[a-z]:[\\/]/i.test(value)) return 'a Windows drive path';
  if (/^\\\\/.test(value)) return 'a UNC path';
  if (/^(\/|~\/|\.\.?[\\/])/.test(value)) return 'a local path';
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return 'a path without URI scheme';
  return undefined;
}

/** Content-IDs of the message's parts, without <>, lower-cased (undefined for a bare .ics). */
function contentIds(context: InspectContext): Set<string> | undefined {
  if (context.root === undefined) return undefined;
  const ids = new Set<string>();
  for (const node of walkMime(context.root)) {
    const id = headerValue(node, 'Content-ID');
    if (id !== undefined) ids.add(id.trim().replace(/^<|>$/g, '').toLowerCase());
  }
  return ids;
}

function decodeCid(value: string): string {
  const raw = value.slice(4).trim();
  try {
    return decodeURIComponent(raw).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

export const attachLocalFile = defineRule({
  id: 'attach-local-file',
  category: 'client',
  severity: 'info',
  summary:
    "ATTACH points to a file on the sender's machine (file:, C:\\, a path) or to a missing cid: part: attendees cannot open it.",
  fix: 'Attach the file as a MIME part referenced by ATTACH:cid:…, link a https: URL, or inline it with ENCODING=BASE64;VALUE=BINARY.',
  source: 'RFC 5545 §3.8.1.1; RFC 6047 §2.4; RFC 2392',
  *check(context) {
    let ids: Set<string> | undefined | null = null;
    let hits = 0;
    let more = 0;
    let firstPath = '';
    for (const event of primaryEvents(context)) {
      for (const attach of propertiesNamed(event.vevent, 'ATTACH')) {
        if (
          paramValue(attach, 'VALUE')?.toUpperCase() === 'BINARY' ||
          paramValue(attach, 'ENCODING') !== undefined
        )
          continue;
        const value = attach.value.trim();
        if (value === '') continue;
        let problem = localKind(value);
        if (problem === undefined && /^cid:/i.test(value)) {
          if (ids === null) ids = contentIds(context);
          if (ids !== undefined && !ids.has(decodeCid(value)))
            problem = 'a cid: reference to a part that is not in the message';
        }
        if (problem === undefined) continue;
        if (hits >= MAX_HITS) {
          more++;
          continue;
        }
        hits++;
        const path = eventPath(event, 'ATTACH');
        firstPath ||= path;
        const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
        yield { message: `ATTACH "${shown}" is ${problem}`, path, line: attach.line };
      }
    }
    if (more > 0) yield { message: `…and ${more} more unreachable ATTACH values`, path: firstPath };
  },
});
