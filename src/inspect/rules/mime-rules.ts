/** The mime rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';

export const MIME_RULES: readonly Rule[] = [];
