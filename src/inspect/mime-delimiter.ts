/**
 * Multipart delimiter lines (RFC 2046 §5.1.1), found in linear time whatever the body contains.
 */

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

export interface Delimiter {
  /** Where the `--boundary` line starts (relative to the searched text). */
  readonly lineStart: number;
  /** Where the next part starts: after the delimiter line's line break. */
  readonly next: number;
  readonly close: boolean;
}

/**
 * The first delimiter line in `body` at or after `from`, which must be a line start: `--` +
 * boundary at the start of a line, then optional transport padding (SP/HTAB, which receivers
 * "MUST be able to handle") and the line end (CRLF, or LF in LF-only files), or `--` for the close
 * delimiter. Requiring the line end, not just the prefix, keeps an outer boundary that is a prefix
 * of an inner one (forbidden by §5.1.1, seen in the wild) from cutting the inner parts.
 *
 * `body` should be exactly the multipart body (a slice), so no search runs past it. Linear: after
 * a candidate that is not a delimiter the search resumes at the next line, so each line costs at
 * most one failed match (a match cannot span lines: a boundary holds no line break).
 */
export function findDelimiter(
  body: string,
  from: number,
  dashBoundary: string,
): Delimiter | undefined {
  let lineStart = from;
  for (;;) {
    const candidate = body.indexOf(dashBoundary, lineStart);
    if (candidate === -1) return undefined;
    if (candidate === lineStart || body.charCodeAt(candidate - 1) === LF) {
      const found = delimiterAt(body, candidate, dashBoundary.length);
      if (found !== undefined) return found;
    }
    const newline = body.indexOf('\n', candidate);
    if (newline === -1) return undefined;
    lineStart = newline + 1;
  }
}

function delimiterAt(body: string, lineStart: number, length: number): Delimiter | undefined {
  const end = body.length;
  let q = lineStart + length;
  if (q + 2 <= end && body.charCodeAt(q) === DASH && body.charCodeAt(q + 1) === DASH)
    return { lineStart, next: end, close: true };
  while (q < end && (body.charCodeAt(q) === SP || body.charCodeAt(q) === TAB)) q++;
  if (q >= end) return { lineStart, next: end, close: false };
  const c = body.charCodeAt(q);
  if (c === LF) return { lineStart, next: q + 1, close: false };
  if (c === CR && (q + 1 >= end || body.charCodeAt(q + 1) === LF))
    return { lineStart, next: Math.min(q + 2, end), close: false };
  return undefined;
}

/** The end of a part: the line break before the delimiter belongs to the delimiter (§5.1.1). */
export function partEnd(body: string, partStart: number, lineStart: number): number {
  let e = lineStart;
  if (e > partStart && body.charCodeAt(e - 1) === LF) e--;
  if (e > partStart && body.charCodeAt(e - 1) === CR) e--;
  return e;
}
