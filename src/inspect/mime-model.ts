/**
 * The MIME tree of a message as the inspector sees it (RFC 2045/2046), produced by
 * parse-mime-tree.ts: every part with its headers, parameters, encodings, size, decoded content,
 * and the problems found while reading it. Parsing never throws: damage becomes `problems`.
 */

export interface MimeHeader {
  /** As written (case preserved). */
  readonly name: string;
  /** Unfolded raw value (RFC 5322 §2.2.3), not RFC 2047-decoded. */
  readonly value: string;
}

export interface MimeProblem {
  /**
   * unclosed-boundary | missing-boundary | bad-base64 | bad-quoted-printable |
   * unknown-transfer-encoding | invalid-header | eight-bit-in-seven-bit | too-deep | too-many-parts |
   * no-header-separator | bare-lf | internal-error (a parser bug, never expected)
   */
  readonly code: string;
  readonly message: string;
}

export interface MimeNode {
  /** '' for the message itself; children '1', '2'…; nested '2.1' (IMAP part numbering). */
  readonly path: string;
  readonly headers: readonly MimeHeader[];
  /** Lower-case `type/subtype`; `text/plain` when absent (RFC 2045 §5.2). */
  readonly contentType: string;
  /** Lower-case parameter names; values unquoted and RFC 2231-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Lower-case Content-Transfer-Encoding; undefined when absent (7bit by default). */
  readonly transferEncoding?: string;
  /** Lower-case disposition type (`inline`, `attachment`) and its parameters. */
  readonly disposition?: string;
  readonly dispositionParams: Readonly<Record<string, string>>;
  /** filename (disposition) or name (content type), RFC 2047/2231-decoded. */
  readonly filename?: string;
  /** Octets of the raw (still encoded) body. */
  readonly size: number;
  /** Decoded body of a leaf part (transfer encoding undone, charset NOT applied). */
  readonly content?: Buffer;
  readonly children: readonly MimeNode[];
  readonly problems: readonly MimeProblem[];
}

/** First header value by case-insensitive name. */
export function headerValue(node: MimeNode, name: string): string | undefined {
  const lower = name.toLowerCase();
  return node.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** Every node of the tree, depth first, the root included. */
export function walkMime(node: MimeNode): MimeNode[] {
  return [node, ...node.children.flatMap(walkMime)];
}
