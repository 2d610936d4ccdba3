/** Collects the scanner's syntax problems, listing each per-line code a bounded number of times. */
import type { SyntaxProblem } from './calendar-model.ts';

/** Per-line problem codes keep this many entries, then one "…and N more" entry. */
export const MAX_PROBLEMS_PER_CODE = 20;

export interface ProblemLog {
  /** A message function is only called when the problem is listed (per-code cap). */
  add(code: string, line: number, message: string | (() => string)): void;
  /** Records `count` further problems of `code` that were not listed individually. */
  suppressed(code: string, count: number, line: number | undefined): void;
  list(): SyntaxProblem[];
}

export function createProblemLog(): ProblemLog {
  const problems: SyntaxProblem[] = [];
  const counts = new Map<string, number>();
  const overflow = new Map<string, { count: number; line: number }>();
  const suppressed = (code: string, count: number, line: number | undefined): void => {
    if (count <= 0) return;
    const entry = overflow.get(code);
    if (entry === undefined) overflow.set(code, { count, line: line ?? 0 });
    else entry.count += count;
  };
  return {
    add(code, line, message) {
      const count = counts.get(code) ?? 0;
      if (count >= MAX_PROBLEMS_PER_CODE) {
        suppressed(code, 1, line);
        return;
      }
      counts.set(code, count + 1);
      problems.push({ code, line, message: typeof message === 'string' ? message : message() });
    },
    suppressed,
    list() {
      const all = [...problems];
      for (const [code, { count, line }] of overflow) {
        all.push({ code, line, message: `…and ${count} more ${code} problems not listed` });
      }
      // Stable: global problems (line 0) first, then by physical line in the order found.
      return all.sort((a, b) => a.line - b.line);
    },
  };
}
