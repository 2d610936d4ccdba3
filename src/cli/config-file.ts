/**
 * The CLI's config file (`smtp-invite.config.json` or `.smtp-inviterc` in the current directory,
 * or `--config FILE` / SMTP_INVITE_CONFIG), so that apps and CI do not repeat flags. Precedence:
 * flags > environment > this file. CONTRACT — the loader is implemented by the config/secrets
 * work (issue 6 part 3); the shape is fixed so that other parts can read their keys.
 */
import type { MailAddress } from '../mime/compose-message.ts';
import type { CliIo } from './cli-io.ts';

/** The file's content after validation (paths resolved against the file's directory). */
export interface SmtpInviteConfig {
  /** Where the file was read from (absolute), for messages. */
  readonly path: string;
  /** SMTP URL (without a password, or the file must not be readable by others). */
  readonly smtp?: string;
  readonly password?: string;
  readonly passwordFile?: string;
  readonly insecure?: boolean;
  readonly tlsCa?: string;
  readonly requireTls?: boolean;
  readonly auth?: 'password' | 'oauth2';
  readonly oauth2?: {
    readonly provider?: 'token' | 'microsoft' | 'google';
    readonly user?: string;
    readonly tenant?: string;
    readonly clientId?: string;
    readonly tokenUrl?: string;
    readonly scope?: string;
    readonly accessToken?: string;
    readonly clientSecret?: string;
    readonly clientSecretFile?: string;
    readonly refreshToken?: string;
    readonly refreshTokenFile?: string;
    readonly certificateFile?: string;
    readonly privateKeyFile?: string;
    readonly serviceAccountFile?: string;
  };
  readonly dkim?: {
    readonly domain?: string;
    readonly selector?: string;
    readonly keyFile?: string;
  };
  /** Sender identity (README "Who sends: three modes"). */
  readonly identity?: {
    /** Service mode: From = service, Reply-To = organizer, ORGANIZER;SENT-BY = service. */
    readonly service?: MailAddress;
    /** Shared mailbox sending on behalf: Sender = this, ORGANIZER;SENT-BY = this. */
    readonly sender?: MailAddress;
  };
}

/**
 * Reads and validates the config file the invocation names (`explicitPath`, then
 * SMTP_INVITE_CONFIG, then the default names in io.cwd); undefined when there is none. Throws
 * ERR_CONFIG naming the file and the key (unknown keys, wrong types, inline secrets in a file
 * others can read). Synchronous: read once per command.
 */
export function loadCliConfig(io: CliIo, explicitPath?: string): SmtpInviteConfig | undefined {
  void io;
  void explicitPath;
  return undefined;
}
