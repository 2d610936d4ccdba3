/** The icalendar rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';

export const ICALENDAR_RULES: readonly Rule[] = [];
