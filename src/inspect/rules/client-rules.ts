/** The client rules, in documentation order (see rule-catalogue.ts). */
import type { Rule } from '../inspect-types.ts';

export const CLIENT_RULES: readonly Rule[] = [];
