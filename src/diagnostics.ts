/**
 * Problems in data (an invalid invite field, later a broken invitation found by the inspector) are
 * values, not exceptions: every problem is collected and reported at once.
 */

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable kebab-case identifier, e.g. `invalid-email`, `end-before-start`. */
  readonly code: string;
  readonly severity: Severity;
  /** One sentence naming the field and the problem, suggesting the fix. */
  readonly message: string;
  /** JSON path of the offending value, e.g. `attendees[2].email`; '' for the whole input. */
  readonly path: string;
}

export function error(code: string, path: string, message: string): Diagnostic {
  return { code, severity: 'error', message, path };
}

export function warning(code: string, path: string, message: string): Diagnostic {
  return { code, severity: 'warning', message, path };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** `attendees[2].email: …` — the one-line form used on stderr. */
export function formatDiagnostic(d: Diagnostic): string {
  return d.path === '' ? `${d.severity}: ${d.message}` : `${d.severity}: ${d.path}: ${d.message}`;
}

/** Appends a property or index to a JSON path: joinPath('attendees', 2) → 'attendees[2]'. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}
