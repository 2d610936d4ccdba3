/**
 * Shared pieces for the MIME rules (rules/mime-rules.ts): how to name a part, which parts carry a
 * calendar, and the MIME reader's problems (MimeNode.problems) turned into hits, capped per rule so
 * a hostile message with hundreds of damaged parts stays a short report.
 */
import type { Severity } from '../diagnostics.ts';
import type { InspectContext, RuleHit } from './inspect-types.ts';
import { walkMime, type MimeNode, type MimeProblem } from './mime-model.ts';

/** Most hits one MIME rule reports for a message; the rest are counted in one closing hit. */
export const MAX_MIME_HITS = 20;

/** The finding path of a part: `message` for the message itself, else its part number. */
export function partPath(node: MimeNode): string {
  return node.path === '' ? 'message' : node.path;
}

/** `the text/calendar part 1.2`, `the message (multipart/mixed)`. */
export function describePart(node: MimeNode): string {
  return node.path === ''
    ? `the message (${node.contentType})`
    : `the ${node.contentType} part ${node.path}`;
}

/**
 * The parts that are a calendar part or contain one (a message/rfc822 or multipart around it, the
 * message itself): damage there can cost the invitation.
 */
export function calendarBearingNodes(context: InspectContext): Set<MimeNode> {
  const bearing = new Set<MimeNode>();
  if (context.root === undefined) return bearing;
  const calendars = new Set<MimeNode>();
  for (const part of context.calendarParts) if (part.node !== undefined) calendars.add(part.node);
  if (calendars.size === 0) return bearing;
  // Depth is bounded by the reader's nesting limit, so the recursion is too.
  const visit = (node: MimeNode): boolean => {
    let has = calendars.has(node);
    for (const child of node.children) if (visit(child)) has = true;
    if (has) bearing.add(node);
    return has;
  };
  visit(context.root);
  return bearing;
}

export interface ProblemSelection {
  /** MimeProblem codes the rule reports. */
  readonly codes: readonly string[];
  /** Severity of a hit on this part. */
  readonly severity: (node: MimeNode) => Severity;
  /** Problems the rule deliberately leaves out. */
  readonly skip?: (node: MimeNode, problem: MimeProblem) => boolean;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * One hit per recorded problem of the selected codes, depth first. The reader already keeps at
 * most a handful per code and part; beyond MAX_MIME_HITS for the whole message, one closing hit
 * counts the rest (at the worst severity among them).
 */
export function* problemHits(
  context: InspectContext,
  selection: ProblemSelection,
): Generator<RuleHit> {
  if (context.root === undefined) return;
  let emitted = 0;
  let more = 0;
  let moreSeverity: Severity | undefined;
  for (const node of walkMime(context.root)) {
    for (const problem of node.problems) {
      if (!selection.codes.includes(problem.code)) continue;
      if (selection.skip?.(node, problem) === true) continue;
      const severity = selection.severity(node);
      if (emitted >= MAX_MIME_HITS) {
        more++;
        if (moreSeverity === undefined || RANK[severity] < RANK[moreSeverity])
          moreSeverity = severity;
        continue;
      }
      emitted++;
      yield {
        // The path is shown next to the message; the media type says what the part is.
        message:
          node.path === '' ? problem.message : `${node.contentType} part: ${problem.message}`,
        path: partPath(node),
        severity,
      };
    }
  }
  if (more > 0) {
    yield {
      message: `… and ${more} more such problem(s) in this message`,
      path: 'message',
      ...(moreSeverity === undefined ? {} : { severity: moreSeverity }),
    };
  }
}
