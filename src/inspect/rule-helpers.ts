/** Small shared pieces for rules: where things are, and how to name them in findings. */
import {
  componentsNamed,
  propertiesNamed,
  type Component,
  type ContentLine,
} from './calendar-model.ts';
import type { CalendarPart, InspectContext, RuleHit } from './inspect-types.ts';

export interface LocatedEvent {
  readonly part: CalendarPart;
  readonly vevent: Component;
  readonly index: number;
}

/** VEVENTs of the part clients act on (copies are compared by calendar-copies-differ). */
export function primaryEvents(context: InspectContext): LocatedEvent[] {
  const part = context.primary;
  if (part?.vcalendar === undefined) return [];
  return componentsNamed(part.vcalendar, 'VEVENT').map((vevent, index) => ({
    part,
    vevent,
    index,
  }));
}

/** `1.3/VEVENT[0]/DTSTAMP` */
export function eventPath(event: LocatedEvent, property?: string): string {
  return `${event.part.path}/VEVENT[${event.index}]${property === undefined ? '' : `/${property}`}`;
}

export function first(component: Component, name: string): ContentLine | undefined {
  return propertiesNamed(component, name)[0];
}

/** The iTIP method in force: METHOD in the calendar, else the MIME method= parameter. */
export function methodOf(context: InspectContext): string | undefined {
  return context.primary?.calendarMethod ?? context.primary?.method;
}

/** Two copies agree when their unfolded content lines are equal (line endings and folding aside). */
export function sameCalendar(a: string, b: string): boolean {
  const normalise = (s: string) =>
    s
      .replace(/\r\n?/g, '\n')
      .replace(/\n[ \t]/g, '')
      .trim();
  return normalise(a) === normalise(b);
}

/**
 * The primary part's scan problems with one of the given codes, as hits. Most syntax rules are
 * exactly this: the scanner finds (and caps) the problem, the rule gives it an id, a severity and
 * a fix.
 */
export function* scanProblemHits(
  context: InspectContext,
  ...codes: readonly string[]
): Generator<RuleHit> {
  const part = context.primary;
  if (part === undefined) return;
  for (const problem of part.scan.problems) {
    if (!codes.includes(problem.code)) continue;
    yield {
      message: problem.message,
      path: part.path,
      ...(problem.line > 0 ? { line: problem.line } : {}),
    };
  }
}

/** Every component of the tree with its path: `1.3`, `1.3/VEVENT[0]`, `1.3/VEVENT[0]/VALARM[1]`. */
export function* componentsWithPaths(
  component: Component,
  path: string,
): Generator<{ component: Component; path: string }> {
  yield { component, path };
  const counts = new Map<string, number>();
  for (const child of component.components) {
    const index = counts.get(child.name) ?? 0;
    counts.set(child.name, index + 1);
    yield* componentsWithPaths(child, `${path}/${child.name}[${index}]`);
  }
}

/**
 * At most `max` hits, then one summary hit for the rest (hostile input can hold thousands of
 * events; a report listing each would drown the first, useful ones).
 */
export function* capped(
  hits: Iterable<RuleHit>,
  max: number,
  summary: (more: number, first: RuleHit) => RuleHit,
): Generator<RuleHit> {
  let count = 0;
  let first: RuleHit | undefined;
  for (const hit of hits) {
    count++;
    if (count <= max) {
      first ??= hit;
      yield hit;
    }
  }
  if (first !== undefined && count > max) yield summary(count - max, first);
}
