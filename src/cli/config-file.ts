/**
 * The CLI's config file (`smtp-invite.config.json` or `.smtp-inviterc` in the current directory,
 * or `--config FILE` / SMTP_INVITE_CONFIG), so that apps and CI do not repeat flags. Precedence:
 * flags > environment > this file. CONTRACT — the loader is implemented by the config/secrets
 * work (issue 6 part 3); the shape is fixed so that other parts can read their keys.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

import { SmtpInviteError } from '../errors.ts';
import type { MailAddress } from '../mime/compose-message.ts';
import { describeEmailProblem } from '../model/check-email.ts';
import type { CliIo } from './cli-io.ts';
import { formatMode, shellQuote } from './secret-file.ts';

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

/** The default names, searched in this order in the current directory. */
export const CONFIG_FILE_NAMES = ['smtp-invite.config.json', '.smtp-inviterc'] as const;
/** A settings file is a few hundred bytes; this bounds what a wrong path could make us read. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The keys that hold a secret themselves (rather than the name of a file holding it). */
export const INLINE_SECRET_KEYS = [
  'password',
  'oauth2.accessToken',
  'oauth2.clientSecret',
  'oauth2.refreshToken',
] as const;

/** Where the config file of an invocation is, and how the user named it (for messages). */
export interface ConfigFileLocation {
  readonly path: string;
  readonly namedBy: '--config' | 'SMTP_INVITE_CONFIG' | 'default';
}

/**
 * The config file the invocation names: `explicitPath` (--config), else SMTP_INVITE_CONFIG, else
 * the first default name that exists in io.cwd; undefined when there is none. A named file must
 * exist (ERR_FILE_READ); a missing default file is simply no config.
 */
export function findConfigFile(io: CliIo, explicitPath?: string): ConfigFileLocation | undefined {
  if (explicitPath !== undefined) {
    return { path: resolve(io.cwd, explicitPath), namedBy: '--config' };
  }
  const fromEnv = io.env['SMTP_INVITE_CONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { path: resolve(io.cwd, fromEnv), namedBy: 'SMTP_INVITE_CONFIG' };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(io.cwd, name);
    try {
      statSync(path);
      return { path, namedBy: 'default' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        return { path, namedBy: 'default' };
      }
    }
  }
  return undefined;
}

/**
 * Reads and validates the config file the invocation names (`explicitPath`, then
 * SMTP_INVITE_CONFIG, then the default names in io.cwd); undefined when there is none. Throws
 * ERR_CONFIG naming the file and the key (unknown keys, wrong types, inline secrets in a file
 * others can read), ERR_FILE_READ when a named file cannot be read. Synchronous: read once per
 * command.
 */
export function loadCliConfig(io: CliIo, explicitPath?: string): SmtpInviteConfig | undefined {
  // A command asks twice (delivery settings, sender identity): read and check the file once per
  // invocation (one io per run), so both see the same content even if the file changes meanwhile.
  let loaded = LOADED.get(io);
  if (loaded === undefined) {
    loaded = new Map();
    LOADED.set(io, loaded);
  }
  const key = explicitPath ?? '';
  if (loaded.has(key)) return loaded.get(key);
  const config = readCliConfig(io, explicitPath);
  loaded.set(key, config);
  return config;
}

const LOADED = new WeakMap<CliIo, Map<string, SmtpInviteConfig | undefined>>();

function readCliConfig(io: CliIo, explicitPath?: string): SmtpInviteConfig | undefined {
  const location = findConfigFile(io, explicitPath);
  if (location === undefined) return undefined;
  const { path } = location;
  const shown = displayPath(path, io.cwd);
  const origin = location.namedBy === 'default' ? shown : `${location.namedBy} ${shown}`;
  let mode: number;
  let text: string;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      throw new SmtpInviteError('ERR_FILE_READ', `${origin}: is a directory, not a config file`);
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      throw configError(shown, 'the file is larger than 1 MiB: is it the right file?');
    }
    mode = stat.mode;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof SmtpInviteError) throw err;
    throw new SmtpInviteError(
      'ERR_FILE_READ',
      `${origin}: cannot read the config file (${readProblem(err)})`,
      { cause: err },
    );
  }
  // Whoever can change the file decides where the credentials go (smtp, oauth2.tokenUrl) even
  // when it holds no secret itself: a file every user can write is refused.
  if (process.platform !== 'win32' && (mode & 0o002) !== 0) {
    throw configError(
      shown,
      `any user can change this file (mode ${formatMode(mode)}), and with it where the credentials are sent: run chmod 644 ${shellQuote(path)} (chmod 600 if it holds a secret)`,
    );
  }
  const config = parseCliConfig(text, path, shown);
  const secrets = inlineSecretKeys(config);
  if (secrets.length > 0 && process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw configError(
      shown,
      `the file holds ${secrets.join(', ')} but group or others can access it (mode ${formatMode(mode)}): run chmod 600 ${shellQuote(path)}, or move the secret out (SMTP_PASSWORD, passwordFile, …)`,
    );
  }
  return config;
}

/**
 * Validates the text of a config file (pure: no file access). `shown` names the file in
 * messages; relative paths in it are resolved against the directory of `path`.
 */
export function parseCliConfig(text: string, path: string, shown = path): SmtpInviteConfig {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw configError(
      shown,
      'the file is empty: write a JSON object such as {"smtp": "smtps://…"}',
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    // Not the parser's message: V8 quotes the text around the error, which may be a password.
    throw configError(
      shown,
      `not valid JSON${jsonErrorPlace(err, body)}: the file must be plain JSON (double quotes, no comments, no trailing commas)`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw configError(shown, 'the file must hold one JSON object such as {"smtp": "smtps://…"}');
  }
  const context: WalkContext = { shown, dir: dirname(path) };
  const fields = walkObject(data as Record<string, unknown>, SCHEMA, '', context);
  checkExclusive(fields, 'password', 'passwordFile', '', shown);
  const oauth2 = fields['oauth2'] as Record<string, unknown> | undefined;
  if (oauth2 !== undefined) {
    checkExclusive(oauth2, 'clientSecret', 'clientSecretFile', 'oauth2.', shown);
    checkExclusive(oauth2, 'refreshToken', 'refreshTokenFile', 'oauth2.', shown);
  }
  return { path, ...fields };
}

/** The keys of `config` that hold a secret inline (the SMTP URL's password counts). */
export function inlineSecretKeys(config: SmtpInviteConfig): string[] {
  const keys: string[] = [];
  if (config.smtp !== undefined && urlPassword(config.smtp) !== '') {
    keys.push('a password in smtp');
  }
  if (config.password !== undefined) keys.push('password');
  if (config.oauth2?.accessToken !== undefined) keys.push('oauth2.accessToken');
  if (config.oauth2?.clientSecret !== undefined) keys.push('oauth2.clientSecret');
  if (config.oauth2?.refreshToken !== undefined) keys.push('oauth2.refreshToken');
  return keys;
}

type FieldSpec =
  | { readonly type: 'string' }
  | { readonly type: 'path' }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'smtp-url' }
  | { readonly type: 'address' }
  | { readonly type: 'object'; readonly fields: Readonly<Record<string, FieldSpec>> };

const STRING: FieldSpec = { type: 'string' };
const PATH: FieldSpec = { type: 'path' };
const BOOLEAN: FieldSpec = { type: 'boolean' };
const ADDRESS: FieldSpec = { type: 'address' };

const SCHEMA: Readonly<Record<string, FieldSpec>> = {
  smtp: { type: 'smtp-url' },
  password: STRING,
  passwordFile: PATH,
  insecure: BOOLEAN,
  tlsCa: PATH,
  requireTls: BOOLEAN,
  auth: { type: 'enum', values: ['password', 'oauth2'] },
  oauth2: {
    type: 'object',
    fields: {
      provider: { type: 'enum', values: ['token', 'microsoft', 'google'] },
      user: STRING,
      tenant: STRING,
      clientId: STRING,
      tokenUrl: STRING,
      scope: STRING,
      accessToken: STRING,
      clientSecret: STRING,
      clientSecretFile: PATH,
      refreshToken: STRING,
      refreshTokenFile: PATH,
      certificateFile: PATH,
      privateKeyFile: PATH,
      serviceAccountFile: PATH,
    },
  },
  dkim: { type: 'object', fields: { domain: STRING, selector: STRING, keyFile: PATH } },
  identity: { type: 'object', fields: { service: ADDRESS, sender: ADDRESS } },
};

interface WalkContext {
  readonly shown: string;
  /** The config file's directory: relative paths in it are relative to the file. */
  readonly dir: string;
}

function walkObject(
  data: Record<string, unknown>,
  fields: Readonly<Record<string, FieldSpec>>,
  prefix: string,
  context: WalkContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const spec = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (spec === undefined) {
      const where = prefix === '' ? 'at the top level' : `in ${prefix.slice(0, -1)}`;
      throw configError(
        context.shown,
        `unknown key ${JSON.stringify(`${prefix}${key}`)} (the keys ${where} are ${Object.keys(fields).join(', ')})`,
      );
    }
    const value = data[key];
    // null is how JSON says "not set": treated as absent rather than as a wrong type.
    if (value === null) continue;
    out[key] = walkValue(value, spec, `${prefix}${key}`, context);
  }
  return out;
}

function walkValue(value: unknown, spec: FieldSpec, key: string, context: WalkContext): unknown {
  const fail = (problem: string): SmtpInviteError =>
    configError(context.shown, `${key} ${problem}`);
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw fail('must be true or false');
      return value;
    case 'string':
    case 'path':
    case 'smtp-url':
    case 'enum': {
      if (typeof value !== 'string') throw fail('must be a string');
      if (value.trim() === '') throw fail('must not be empty (leave the key out instead)');
      if (spec.type === 'path') {
        if (value.includes('\u0000')) throw fail('is not a valid file path');
        return isAbsolute(value) ? value : resolve(context.dir, value);
      }
      if (spec.type === 'enum') {
        if (!spec.values.includes(value)) {
          throw fail(`must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}`);
        }
        return value;
      }
      // Values go into HTTP requests and SMTP commands: one line of text.
      if (/[\u0000-\u001f\u007f]/.test(value)) throw fail('must be one line of text');
      if (spec.type === 'smtp-url') {
        // The shape only (the transport checks the rest when the URL is used, naming this key):
        // the config file is read by commands that never load the SMTP library. Never quoted:
        // it may hold a password.
        const problem = smtpUrlProblem(value);
        if (problem !== undefined) throw fail(`is not a usable SMTP URL: ${problem}`);
      }
      return value;
    }
    case 'address':
      return walkAddress(value, key, context);
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw fail('must be an object ({"key": value, …})');
      }
      return walkObject(value as Record<string, unknown>, spec.fields, `${key}.`, context);
  }
}

/** An email string, or {"name": …, "email": …}. */
function walkAddress(value: unknown, key: string, context: WalkContext): MailAddress {
  const fail = (problem: string): SmtpInviteError =>
    configError(context.shown, `${key} ${problem}`);
  const checkEmail = (email: unknown, at: string): string => {
    if (typeof email !== 'string') {
      throw configError(context.shown, `${at} must be an email address (a string)`);
    }
    const problem = describeEmailProblem(email.trim());
    if (problem !== undefined) {
      throw configError(context.shown, `${at} ${JSON.stringify(email)} ${problem}`);
    }
    return email.trim();
  };
  if (typeof value === 'string') return { email: checkEmail(value, key) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('must be an email address or {"name": "…", "email": "…"}');
  }
  const record = value as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (field !== 'name' && field !== 'email') {
      throw configError(
        context.shown,
        `unknown key ${JSON.stringify(`${key}.${field}`)} (an address has name and email)`,
      );
    }
  }
  if (record['email'] === undefined) throw fail('needs an "email"');
  const email = checkEmail(record['email'], `${key}.email`);
  const name = record['name'];
  if (name === undefined || name === null) return { email };
  if (typeof name !== 'string') throw configError(context.shown, `${key}.name must be a string`);
  // A display name goes into From:/Sender: headers: no line breaks or control characters.
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw configError(context.shown, `${key}.name must be one line of text`);
  }
  return name.trim() === '' ? { email } : { name: name.trim(), email };
}

function checkExclusive(
  fields: Record<string, unknown>,
  inline: string,
  file: string,
  prefix: string,
  shown: string,
): void {
  if (fields[inline] !== undefined && fields[file] !== undefined) {
    throw configError(shown, `give ${prefix}${inline} or ${prefix}${file}, not both`);
  }
}

function smtpUrlProblem(value: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value.trim())?.[1]?.toLowerCase();
  if (scheme === undefined) return 'it must start with smtp:// or smtps://';
  if (scheme !== 'smtp' && scheme !== 'smtps') {
    return `unsupported scheme "${scheme}://": use smtp:// (STARTTLS, port 587) or smtps:// (implicit TLS, port 465)`;
  }
  try {
    if (new URL(value.trim()).hostname === '') return 'it has no host';
  } catch {
    return 'it is malformed (check the host, and that the port is a number 1-65535)';
  }
  return undefined;
}

function urlPassword(value: string): string {
  try {
    return new URL(value.trim()).password;
  } catch {
    return '';
  }
}

/** " at line L, column C" from a JSON.parse error, without the text it quotes. */
function jsonErrorPlace(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : '';
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn !== null) return ` at line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /position (\d+)/.exec(message);
  if (position !== null) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return ` at line ${String(line)}, column ${String(column)}`;
  }
  if (/end of JSON input/i.test(message)) return ' (it ends too early)';
  return '';
}

function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? String(err);
}

/** The path as the user would write it: relative to the working directory when inside it. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function configError(shown: string, message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_CONFIG', `${shown}: ${message}`);
}
