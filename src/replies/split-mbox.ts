/**
 * splitMbox: the messages of an mbox file (RFC 4155, the mboxo and mboxrd variants). A message
 * starts after each line beginning with "From " (the separator line, dropped); the blank line that
 * mbox writers put before the next separator is removed; lines quoted as ">From ", ">>From "… lose
 * one ">" (mboxrd quoting, which also undoes mboxo's single-level quoting). Line breaks (CRLF or
 * LF) are kept exactly as stored. Works on latin1 text, so every byte round-trips unchanged.
 */

export function splitMbox(bytes: Buffer): Buffer[] {
  const text = bytes.toString('latin1');
  const starts: number[] = [];
  if (text.startsWith('From ')) starts.push(0);
  for (let at = text.indexOf('\nFrom '); at !== -1; at = text.indexOf('\nFrom ', at + 1)) {
    starts.push(at + 1);
  }
  // Content before the first separator (a plain .eml given as mbox) is a message of its own.
  const chunks: string[] = [];
  if (starts[0] !== 0) chunks.push(text.slice(0, starts[0] ?? text.length));
  starts.forEach((start, i) => {
    const lineEnd = text.indexOf('\n', start);
    if (lineEnd === -1) return;
    chunks.push(text.slice(lineEnd + 1, starts[i + 1] ?? text.length));
  });
  return chunks
    .map((chunk, i) =>
      i < chunks.length - 1 || starts.length > 0 ? dropSeparatorBlank(chunk) : chunk,
    )
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => Buffer.from(unquoteFrom(chunk), 'latin1'));
}

/** The empty line mbox writers add before the next "From " line is not part of the message. */
function dropSeparatorBlank(chunk: string): string {
  if (chunk.endsWith('\r\n\r\n')) return chunk.slice(0, -2);
  if (chunk.endsWith('\n\n')) return chunk.slice(0, -1);
  return chunk;
}

function unquoteFrom(chunk: string): string {
  return chunk.includes('>From ') ? chunk.replace(/(^|\n)>(>*From )/g, '$1$2') : chunk;
}
