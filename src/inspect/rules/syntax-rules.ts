/** The syntax rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';

export const SYNTAX_RULES: readonly Rule[] = [];
