/**
 * Problems found on one MIME node, capped per code: hostile input (a million header lines without
 * a colon) must not turn into a million problem objects, and messages are built only when kept.
 */
import type { MimeProblem } from './mime-model.ts';

/** Beyond this many problems of one code on one node, only a count is kept. */
export const PROBLEMS_PER_CODE = 10;

export interface ProblemLog {
  /** `message` may be a function, called only when the problem is kept. */
  add(code: string, message: string | (() => string)): void;
  list(): MimeProblem[];
}

export function createProblemLog(initial: readonly MimeProblem[] = []): ProblemLog {
  const problems: MimeProblem[] = [...initial];
  const counts = new Map<string, number>();
  return {
    add(code, message) {
      const count = (counts.get(code) ?? 0) + 1;
      counts.set(code, count);
      if (count <= PROBLEMS_PER_CODE)
        problems.push({ code, message: typeof message === 'string' ? message : message() });
    },
    list() {
      const extra = [...counts]
        .filter(([, count]) => count > PROBLEMS_PER_CODE)
        .map(([code, count]) => ({
          code,
          message: `… and ${count - PROBLEMS_PER_CODE} more ${code} problem(s) on this part`,
        }));
      return [...problems, ...extra];
    },
  };
}

/**
 * An excerpt safe to put in a message, whatever the input: JSON-quoted and short even when every
 * character needs an escape (`\u0000` is six characters).
 */
export function excerpt(text: string, max = 60): string {
  let length = Math.min(text.length, max);
  let quoted = JSON.stringify(text.slice(0, length));
  while (quoted.length > 2 * max && length > 1) {
    length = Math.floor(length / 2);
    quoted = JSON.stringify(text.slice(0, length));
  }
  return length < text.length ? `${quoted.slice(0, -1)}…"` : quoted;
}
