/**
 * inspectMessage / inspectCalendar: build the context once (MIME tree, calendar parts, scans, event
 * summaries), run every rule within the time budget, derive each client's verdict. Never throws on
 * content: unreadable input, a crashing rule or a blown budget all become findings.
 */
import type { Severity } from '../diagnostics.ts';
import { componentsNamed, propertiesNamed, type CalendarScan } from './calendar-model.ts';
import { computeVerdicts, type EffectiveFinding } from './client-verdicts.ts';
import { collectCalendarParts, pickPrimary } from './collect-calendar-parts.ts';
import { eventsFromScan } from './event-info.ts';
import { withInstants } from './event-instants.ts';
import type {
  CalendarPart,
  CalendarPartSummary,
  CalendarPlacement,
  Finding,
  InspectContext,
  InspectOptions,
  InspectReport,
  MimePartSummary,
  Rule,
  RuleHit,
} from './inspect-types.ts';
import type { MimeNode } from './mime-model.ts';
import { decodeText, parseMimeTree } from './parse-mime-tree.ts';
import { RULES } from './rule-catalogue.ts';
import { scanCalendar } from './scan-calendar.ts';
import { sameCalendar } from './rule-helpers.ts';

export const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;
export const DEFAULT_TIME_LIMIT_MS = 2000;

/** Inspects an email (RFC 5322 bytes). */
export function inspectMessage(
  input: Buffer | Uint8Array | string,
  options: InspectOptions = {},
): InspectReport {
  const started = performance.now();
  const raw = toBuffer(input);
  const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (raw.length > limit) return tooLarge('message', raw.length, limit, started);
  return guarded('message', raw, started, options, () => {
    const root = parseMimeTree(raw);
    const found = collectCalendarParts(root);
    const primary = pickPrimary(found.map((f) => ({ ...f, contentType: f.node.contentType })));
    const seen = new Map<string, CalendarPart['events']>();
    const parts = found.map((f) =>
      buildPart({
        seen,
        // A calendar that is the whole message (no multipart) is named like the root MIME node.
        path: f.node.path === '' ? 'message' : f.node.path,
        placement: f.placement,
        contentType: f.node.contentType,
        method: f.node.params['method'],
        charset: f.node.params['charset'],
        filename: f.node.filename,
        node: f.node,
        bytes: f.node.content ?? Buffer.alloc(0),
        primary: primary?.node === f.node,
      }),
    );
    return {
      kind: 'message',
      options,
      raw,
      root,
      calendarParts: parts,
      ...optionalPrimary(parts.find((p) => p.primary)),
    };
  });
}

/** Inspects a bare iCalendar object (.ics). */
export function inspectCalendar(
  input: Buffer | Uint8Array | string,
  options: InspectOptions = {},
): InspectReport {
  const started = performance.now();
  const raw = toBuffer(input);
  const limit = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (raw.length > limit) return tooLarge('calendar', raw.length, limit, started);
  return guarded('calendar', raw, started, options, () => {
    const part = buildPart({
      seen: new Map(),
      path: 'calendar',
      placement: 'standalone',
      contentType: 'text/calendar',
      method: undefined,
      charset: undefined,
      filename: undefined,
      node: undefined,
      bytes: raw,
      primary: true,
    });
    return { kind: 'calendar', options, raw, calendarParts: [part], primary: part };
  });
}

/** Inspects either: a message when the bytes start with headers, a calendar when with BEGIN:VCALENDAR. */
export function inspect(
  input: Buffer | Uint8Array | string,
  options: InspectOptions = {},
): InspectReport {
  const raw = toBuffer(input);
  const head = raw
    .subarray(0, 64)
    .toString('latin1')
    .replace(/^\ufeff|^\xef\xbb\xbf/, '')
    .trimStart();
  return /^BEGIN:VCALENDAR/i.test(head)
    ? inspectCalendar(raw, options)
    : inspectMessage(raw, options);
}

interface PartInput {
  readonly path: string;
  readonly placement: CalendarPlacement;
  readonly contentType: string;
  readonly method: string | undefined;
  readonly charset: string | undefined;
  readonly filename: string | undefined;
  readonly node: MimeNode | undefined;
  readonly bytes: Buffer;
  readonly primary: boolean;
  /** Event summaries already read in this inspection, by calendar text (copies are read once). */
  readonly seen: Map<string, CalendarPart['events']>;
}

function buildPart(p: PartInput): CalendarPart {
  // Scan UTF-8 bytes rather than the decoded text: a fold that splits a multi-byte character is only
  // repairable (and invalid UTF-8 only detectable) before decoding. An empty charset= means none.
  const utf8 = p.charset === undefined || /^(utf-?8)?$/i.test(p.charset.trim());
  const decoded = decodeCalendarText(p.bytes, p.charset, utf8);
  const scan: CalendarScan = scanCalendar(utf8 ? p.bytes : decoded.text);
  const vcalendar = scan.components.find((c) => c.name === 'VCALENDAR');
  const methodLine = vcalendar === undefined ? undefined : propertiesNamed(vcalendar, 'METHOD')[0];
  return {
    path: p.path,
    placement: p.placement,
    contentType: p.contentType,
    ...(p.method === undefined ? {} : { method: p.method.trim().toUpperCase() }),
    ...(p.charset === undefined ? {} : { charset: p.charset }),
    ...(p.filename === undefined ? {} : { filename: p.filename }),
    ...(p.node === undefined ? {} : { node: p.node }),
    bytes: p.bytes,
    text: decoded.text,
    ...(decoded.problem === undefined ? {} : { charsetProblem: decoded.problem }),
    scan,
    ...(vcalendar === undefined ? {} : { vcalendar }),
    ...(methodLine === undefined ? {} : { calendarMethod: methodLine.value.trim().toUpperCase() }),
    events: vcalendar === undefined ? [] : readEventsOnce(decoded.text, vcalendar, p.seen),
    primary: p.primary,
  };
}

/**
 * Charset decoding of a calendar part. RFC 5545 §3.1 expects readers to unfold before decoding, as
 * simple writers fold in the middle of a UTF-8 sequence: bytes that are valid UTF-8 once unfolded
 * are not a charset problem (the text is then kept unfolded, which every reader accepts).
 */
function decodeCalendarText(
  bytes: Buffer,
  charset: string | undefined,
  utf8: boolean,
): ReturnType<typeof decodeText> {
  const decoded = decodeText(bytes, utf8 ? 'utf-8' : charset);
  if (decoded.problem === undefined || !utf8) return decoded;
  const unfolded = decodeText(unfoldBytes(bytes), 'utf-8');
  return unfolded.problem === undefined ? unfolded : decoded;
}

/** Removes CRLF (or LF) + one space or tab: RFC 5545 §3.1 unfolding, on octets. */
function unfoldBytes(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b === 0x0d && bytes[i + 1] === 0x0a && (bytes[i + 2] === 0x20 || bytes[i + 2] === 0x09)) {
      i += 2;
      continue;
    }
    if (b === 0x0a && (bytes[i + 1] === 0x20 || bytes[i + 1] === 0x09)) {
      i += 1;
      continue;
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

function readEventsOnce(
  text: string,
  vcalendar: NonNullable<CalendarPart['vcalendar']>,
  seen: Map<string, CalendarPart['events']>,
): CalendarPart['events'] {
  let events = seen.get(text);
  if (events === undefined) {
    events = withInstants(vcalendar, eventsFromScan(componentsNamed(vcalendar, 'VEVENT')));
    seen.set(text, events);
  }
  return events;
}

type ContextBuilder = () => InspectContext;

function guarded(
  kind: 'message' | 'calendar',
  raw: Buffer,
  started: number,
  options: InspectOptions,
  build: ContextBuilder,
): InspectReport {
  let context: InspectContext;
  try {
    context = build();
  } catch (err) {
    // A parser bug must not take the caller down: report it as what it is.
    context = { kind, options, raw, calendarParts: [] };
    const finding = internalFinding('the input could not be read', err);
    return assemble(context, [{ finding, effects: [] }], started);
  }
  return assemble(context, runRules(context, started), started);
}

function runRules(context: InspectContext, started: number): EffectiveFinding[] {
  const ignored = new Set(context.options.ignore ?? []);
  const deadline = started + (context.options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const out: EffectiveFinding[] = [];
  const skipped: string[] = [];
  for (const rule of RULES) {
    if (ignored.has(rule.id)) continue;
    if (performance.now() > deadline) {
      skipped.push(rule.id);
      continue;
    }
    try {
      for (const hit of rule.check(context)) {
        out.push({
          finding: toFinding(rule, hit.severity ?? rule.severity, hit),
          effects: hit.effects ?? rule.effects ?? [],
        });
      }
    } catch (err) {
      out.push({ finding: internalFinding(`rule ${rule.id} failed`, err), effects: [] });
    }
  }
  if (skipped.length > 0) {
    out.push({
      finding: {
        rule: 'time-limit',
        severity: 'warning',
        message: `inspection stopped at the ${context.options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS} ms limit; not run: ${skipped.join(', ')}`,
        path: context.kind,
        fix: 'Raise the time limit (timeLimitMs / --time-limit) for very large inputs.',
      },
      effects: [],
    });
  }
  return out;
}

function toFinding(rule: Rule, severity: Severity, hit: RuleHit): Finding {
  const effects = hit.effects ?? rule.effects ?? [];
  const clients = [...new Set(effects.map((e) => e.client))];
  return {
    rule: rule.id,
    severity,
    message: hit.message,
    path: hit.path,
    ...(hit.line === undefined ? {} : { line: hit.line }),
    ...(clients.length === 0 ? {} : { clients }),
    fix: rule.fix,
  };
}

function internalFinding(what: string, err: unknown): Finding {
  return {
    rule: 'internal-error',
    severity: 'error',
    message: `${what}: ${err instanceof Error ? err.message : String(err)} (this is a bug in smtp-invite; please report it with the input)`,
    path: 'message',
    fix: 'Report the input to the smtp-invite maintainers.',
  };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function assemble(
  context: InspectContext,
  found: EffectiveFinding[],
  started: number,
): InspectReport {
  const findings = found
    .map((f) => f.finding)
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const primary = context.primary;
  const calendarParts: CalendarPartSummary[] = context.calendarParts.map((p) => ({
    path: p.path,
    placement: p.placement,
    contentType: p.contentType,
    ...(p.method === undefined ? {} : { method: p.method }),
    ...(p.charset === undefined ? {} : { charset: p.charset }),
    ...(p.filename === undefined ? {} : { filename: p.filename }),
    primary: p.primary,
    ...(p.primary || primary === undefined
      ? {}
      : { agreesWithPrimary: sameCalendar(p.text, primary.text) }),
  }));
  return {
    input: { kind: context.kind, size: context.raw.length },
    ...(context.root === undefined ? {} : { mime: summarizeMime(context.root) }),
    calendarParts,
    calendars: context.calendarParts.map((p) => ({
      path: p.path,
      ...(p.calendarMethod === undefined ? {} : { method: p.calendarMethod }),
      events: p.events,
    })),
    findings,
    clients: computeVerdicts(context, found),
    summary: {
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      infos: findings.filter((f) => f.severity === 'info').length,
    },
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
}

function summarizeMime(node: MimeNode): MimePartSummary {
  return {
    path: node.path === '' ? 'message' : node.path,
    contentType: node.contentType,
    params: node.params,
    ...(node.transferEncoding === undefined ? {} : { transferEncoding: node.transferEncoding }),
    ...(node.disposition === undefined ? {} : { disposition: node.disposition }),
    ...(node.filename === undefined ? {} : { filename: node.filename }),
    size: node.size,
    children: node.children.map(summarizeMime),
  };
}

function tooLarge(
  kind: 'message' | 'calendar',
  size: number,
  limit: number,
  started: number,
): InspectReport {
  const context: InspectContext = { kind, options: {}, raw: Buffer.alloc(0), calendarParts: [] };
  const finding: Finding = {
    rule: 'input-too-large',
    severity: 'error',
    message: `the input is ${size} bytes, over the ${limit}-byte limit; it was not parsed`,
    path: kind,
    fix: 'Raise maxBytes (--max-bytes) if this size is expected.',
  };
  const report = assemble(context, [{ finding, effects: [] }], started);
  return { ...report, input: { kind, size } };
}

function optionalPrimary(part: CalendarPart | undefined): { primary?: CalendarPart } {
  return part === undefined ? {} : { primary: part };
}

function toBuffer(input: Buffer | Uint8Array | string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.isBuffer(input)
    ? input
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}
