/** Small shared pieces for rules: where things are, and how to name them in findings. */
import {
  componentsNamed,
  propertiesNamed,
  type Component,
  type ContentLine,
} from './calendar-model.ts';
import type { CalendarPart, InspectContext } from './inspect-types.ts';

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
