import type { Diagnostic } from './diagnostics.ts';

/**
 * Failures (as opposed to problems in the input, which are returned as Diagnostics) are thrown as
 * SmtpInviteError with a stable ERR_* code. The catalogue below is the single source of truth: the
 * README's error table and the CLI's exit codes are derived from it.
 */

export const ERROR_CODES = {
  ERR_INVALID_INPUT: {
    exit: 2,
    description:
      'The invite (or a CLI option) failed validation; `diagnostics` lists every problem.',
  },
  ERR_USAGE: { exit: 2, description: 'Unknown command or option, or a missing argument.' },
  ERR_FILE_READ: { exit: 2, description: 'An input file could not be read or is not valid JSON.' },
  ERR_FILE_WRITE: { exit: 3, description: 'An output file or the outbox could not be written.' },
  ERR_SMTP_CONFIG: {
    exit: 2,
    description:
      'The SMTP URL is malformed, or asks for something refused (plaintext to a remote host).',
  },
  ERR_CONFIG: {
    exit: 2,
    description:
      'The configuration is unusable: a config file, a secret file readable by others, a DKIM key, or OAuth2 settings (the message names the file and the field).',
  },
  ERR_SMTP_DNS: { exit: 3, description: 'The SMTP host name could not be resolved.' },
  ERR_SMTP_CONNECTION: {
    exit: 3,
    description:
      'The SMTP server refused the connection, or closed it before the message was accepted.',
  },
  ERR_SMTP_TLS: {
    exit: 3,
    description:
      'TLS failed: STARTTLS not offered when required, or the certificate was not trusted.',
  },
  ERR_SMTP_AUTH: {
    exit: 3,
    description:
      'The SMTP server rejected the credentials or the OAuth2 token, or no OAuth2 token could be obtained.',
  },
  ERR_SMTP_TIMEOUT: { exit: 3, description: 'The SMTP server did not answer in time.' },
  ERR_SMTP_REJECTED: {
    exit: 3,
    description: 'The SMTP server refused the message itself (sender or data), or every recipient.',
  },
  ERR_SMTP_PROTOCOL: {
    exit: 3,
    description: 'Any other SMTP failure; the server reply is attached.',
  },
  ERR_IMAP: {
    exit: 3,
    description:
      'Reading replies over IMAP failed: a malformed URL, the connection, TLS (required to a remote host), the credentials, or the mailbox.',
  },
  ERR_LEDGER_IO: {
    exit: 3,
    description:
      'The ledger database could not be opened, read or written (path, permissions, a corrupt file).',
  },
  ERR_LEDGER_CONFLICT: {
    exit: 3,
    description:
      'Another process changed the same event meanwhile; nothing was written: run the command again.',
  },
  ERR_UNKNOWN_EVENT: {
    exit: 2,
    description: 'No event with this UID in the ledger (send it first, or check --db).',
  },
  ERR_UNKNOWN_BATCH: {
    exit: 2,
    description:
      'No such batch in the ledger to resume (check the id with `smtp-invite batch --list`, or --db).',
  },
  ERR_INTERNAL: {
    exit: 3,
    description: 'A guarantee of ours was violated (a bug): please report it with the input.',
  },
} as const satisfies Record<string, { exit: 2 | 3; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SmtpInviteErrorDetails {
  cause?: unknown;
  /** SMTP reply code (e.g. 550) when the failure came from the server. */
  responseCode?: number;
  /** The server's reply text, credentials never included. */
  response?: string;
  /** The SMTP command that failed (e.g. "RCPT TO", "DATA", "AUTH PLAIN"). */
  command?: string;
  /** True when retrying later may succeed (4xx replies, dropped connections, timeouts). */
  isTransient?: boolean;
  /** For ERR_INVALID_INPUT: every problem found. */
  diagnostics?: readonly Diagnostic[];
  /** For ERR_SMTP_REJECTED at RCPT time: each refused recipient with the server's reply. */
  rejected?: readonly {
    readonly email: string;
    readonly code: number | null;
    readonly response: string;
  }[];
}

export class SmtpInviteError extends Error {
  override readonly name = 'SmtpInviteError';
  readonly code: ErrorCode;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
  readonly command: string | undefined;
  readonly isTransient: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly rejected: readonly {
    readonly email: string;
    readonly code: number | null;
    readonly response: string;
  }[];

  constructor(code: ErrorCode, message: string, details: SmtpInviteErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.responseCode = details.responseCode;
    this.response = details.response;
    this.command = details.command;
    this.isTransient = details.isTransient ?? false;
    this.diagnostics = details.diagnostics ?? [];
    this.rejected = details.rejected ?? [];
  }

  /** The CLI exit code this failure maps to (2 usage/input, 3 operational). */
  get exitCode(): 2 | 3 {
    return ERROR_CODES[this.code].exit;
  }
}

export function isSmtpInviteError(value: unknown): value is SmtpInviteError {
  return value instanceof SmtpInviteError;
}
