/**
 * Where each delivery setting comes from: flags > environment > config file (README
 * "Configuration file and precedence"). Pure: reads no file and opens no connection, so that the
 * precedence can be tested as a table; delivery-transport.ts reads the files and builds the
 * transport from the result. Every value keeps its origin (`--smtp`, `SMTP_URL`, `smtp in
 * smtp-invite.config.json`) so that messages can say which setting to fix.
 */
import { resolve } from 'node:path';

import { SmtpInviteError } from '../errors.ts';
import type { SmtpInviteConfig } from './config-file.ts';

/** `batch`: what a resumed batch started with (the lowest layer, DKIM only: DkimFallback). */
export type SettingSource = 'flag' | 'env' | 'config' | 'batch';

export interface Sourced<T> {
  readonly value: T;
  readonly source: SettingSource;
  /** How the user gave it: `--smtp`, `SMTP_URL`, `smtp in smtp-invite.config.json`. */
  readonly origin: string;
}

/** A secret given inline (environment, config file) or as a file to read. */
export type SecretInput = { readonly text: string } | { readonly file: string };

/** The flags of the delivery options (parseArgs values; see DELIVERY_OPTIONS). */
export interface DeliveryFlags {
  readonly smtp?: string | undefined;
  readonly outbox?: string | undefined;
  readonly 'dry-run'?: boolean | undefined;
  readonly config?: string | undefined;
  readonly 'password-file'?: string | undefined;
  readonly 'tls-ca'?: string | undefined;
  readonly 'require-tls'?: boolean | undefined;
  readonly insecure?: boolean | undefined;
  readonly auth?: string | undefined;
  readonly 'oauth-provider'?: string | undefined;
  readonly 'oauth-user'?: string | undefined;
  readonly 'oauth-tenant'?: string | undefined;
  readonly 'oauth-client-id'?: string | undefined;
  readonly 'oauth-token-url'?: string | undefined;
  readonly 'oauth-scope'?: string | undefined;
  readonly 'oauth-client-secret-file'?: string | undefined;
  readonly 'oauth-refresh-token-file'?: string | undefined;
  readonly 'oauth-certificate-file'?: string | undefined;
  readonly 'oauth-private-key-file'?: string | undefined;
  readonly 'oauth-service-account-file'?: string | undefined;
  readonly 'dkim-domain'?: string | undefined;
  readonly 'dkim-selector'?: string | undefined;
  readonly 'dkim-key'?: string | undefined;
}

export type OAuthProviderName = 'token' | 'microsoft' | 'google';

export interface OAuthSettings {
  readonly provider: Sourced<OAuthProviderName> | undefined;
  readonly user: Sourced<string> | undefined;
  readonly tenant: Sourced<string> | undefined;
  readonly clientId: Sourced<string> | undefined;
  readonly tokenUrl: Sourced<string> | undefined;
  readonly scope: Sourced<string> | undefined;
  readonly accessToken: Sourced<SecretInput> | undefined;
  readonly clientSecret: Sourced<SecretInput> | undefined;
  readonly refreshToken: Sourced<SecretInput> | undefined;
  readonly certificateFile: Sourced<string> | undefined;
  readonly privateKeyFile: Sourced<string> | undefined;
  readonly serviceAccountFile: Sourced<string> | undefined;
}

export interface DkimSettings {
  readonly domain: Sourced<string>;
  readonly selector: Sourced<string>;
  /** A key file, or the PEM text (SMTP_INVITE_DKIM_KEY). */
  readonly key: Sourced<SecretInput>;
}

/**
 * The lowest layer of the DKIM settings, under the config file: what a resumed batch was signed
 * with, so that its remaining messages are signed as its first ones were (a batch half signed and
 * half unsigned fails DMARC for the unsigned half without anyone noticing).
 */
export interface DkimFallback {
  readonly domain: Sourced<string>;
  readonly selector: Sourced<string>;
  /** Undefined when the batch's key cannot be had now (its PEM text was in the environment, its file is gone). */
  readonly key: Sourced<SecretInput> | undefined;
  /** The ERR_CONFIG message when no layer gives a key: which key it was and how to give it. */
  readonly missingKey: string;
}

export type DeliveryTarget =
  | { readonly kind: 'dry-run' }
  /** `defaulted`: no SMTP server anywhere, ./outbox used (the CLI says so). */
  | { readonly kind: 'outbox'; readonly dir: string; readonly defaulted: boolean }
  | { readonly kind: 'smtp'; readonly url: Sourced<string> };

export interface DeliverySettings {
  readonly target: DeliveryTarget;
  /**
   * The SMTP password; undefined when none is given apart from the one inside the URL (the
   * transport uses that one), or with OAuth2.
   */
  readonly password: Sourced<SecretInput> | undefined;
  /** Absolute path of the CA file. */
  readonly tlsCa: Sourced<string> | undefined;
  readonly requireTls: Sourced<boolean> | undefined;
  readonly insecure: Sourced<boolean> | undefined;
  /** SMTP_INVITE_ALLOW_INSECURE=1. */
  readonly allowInsecureRemote: boolean;
  readonly auth: Sourced<'password' | 'oauth2'> | undefined;
  /** Set when auth is oauth2. */
  readonly oauth: OAuthSettings | undefined;
  /** Set when any DKIM setting is given (then all three are). */
  readonly dkim: DkimSettings | undefined;
}

export interface DeliveryInputs {
  readonly command: string;
  readonly flags: DeliveryFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly config: SmtpInviteConfig | undefined;
  /** How messages name the config file (default: its path). */
  readonly configName?: string;
  /** The DKIM settings a resumed batch was signed with (command-batch.ts). */
  readonly dkimFallback?: DkimFallback;
}

/** Resolves every delivery setting; throws ERR_USAGE or ERR_CONFIG for conflicting or partial ones. */
export function resolveDeliverySettings(inputs: DeliveryInputs): DeliverySettings {
  const { command, flags, env, cwd, config } = inputs;
  const configName = inputs.configName ?? config?.path ?? 'the config file';
  const pick = new Picker(command, flags, env, cwd, config, configName);

  if (flags.smtp !== undefined && flags.outbox !== undefined) {
    throw usage(command, 'give either --smtp or --outbox, not both');
  }
  if (flags.smtp !== undefined && urlHasPassword(flags.smtp)) {
    // argv is readable by every local user (ps, /proc/<pid>/cmdline) and lands in shell history.
    throw usage(
      command,
      'a password in --smtp would be visible to other users (ps) and kept in the shell history: remove it from the URL and give it in SMTP_PASSWORD, --password-file FILE or the config file (password / passwordFile)',
    );
  }

  const auth = pick.enumOf('auth', 'auth', undefined, ['password', 'oauth2'] as const);
  const oauthFlags = OAUTH_FLAGS.filter((name) => flags[name] !== undefined);
  if (auth?.value !== 'oauth2' && oauthFlags.length > 0) {
    throw usage(command, `--${oauthFlags[0] ?? ''} is for OAuth2: add --auth oauth2`);
  }

  const target = chooseTarget(flags, env, cwd, config, configName);
  const smtpUrl = target.kind === 'smtp' ? target.url : undefined;
  const oauth = auth?.value === 'oauth2' ? resolveOAuth(pick) : undefined;

  return {
    target,
    password: oauth === undefined ? resolvePassword(pick, smtpUrl) : undefined,
    tlsCa: pick.path('tls-ca', 'tlsCa', undefined),
    requireTls: pick.flagOrConfig('require-tls', 'requireTls'),
    insecure: pick.flagOrConfig('insecure', 'insecure'),
    allowInsecureRemote: env['SMTP_INVITE_ALLOW_INSECURE'] === '1',
    auth,
    oauth,
    dkim: resolveDkim(pick, configName, inputs.dkimFallback),
  };
}

const OAUTH_FLAGS = [
  'oauth-provider',
  'oauth-user',
  'oauth-tenant',
  'oauth-client-id',
  'oauth-token-url',
  'oauth-scope',
  'oauth-client-secret-file',
  'oauth-refresh-token-file',
  'oauth-certificate-file',
  'oauth-private-key-file',
  'oauth-service-account-file',
] as const;

function chooseTarget(
  flags: DeliveryFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
  config: SmtpInviteConfig | undefined,
  configName: string,
): DeliveryTarget {
  if (flags['dry-run'] === true) return { kind: 'dry-run' };
  if (flags.outbox !== undefined) {
    return { kind: 'outbox', dir: resolve(cwd, flags.outbox), defaulted: false };
  }
  if (flags.smtp !== undefined) {
    return { kind: 'smtp', url: { value: flags.smtp, source: 'flag', origin: '--smtp' } };
  }
  const fromEnv = nonEmpty(env['SMTP_URL']);
  if (fromEnv !== undefined) {
    return { kind: 'smtp', url: { value: fromEnv, source: 'env', origin: 'SMTP_URL' } };
  }
  if (config?.smtp !== undefined) {
    return {
      kind: 'smtp',
      url: { value: config.smtp, source: 'config', origin: `smtp in ${configName}` },
    };
  }
  return { kind: 'outbox', dir: resolve(cwd, 'outbox'), defaulted: true };
}

/**
 * The first source that gives a password, in precedence order: --password-file, SMTP_PASSWORD or
 * a password inside SMTP_URL, the config file's password / passwordFile or one inside its smtp.
 * A password inside the chosen URL is left to the transport (undefined here); a lower source does
 * not override a higher one.
 */
function resolvePassword(
  pick: Picker,
  url: Sourced<string> | undefined,
): Sourced<SecretInput> | undefined {
  const file = pick.flags['password-file'];
  if (file !== undefined) {
    return {
      value: { file: resolve(pick.cwd, file) },
      source: 'flag',
      origin: '--password-file',
    };
  }
  const fromEnv = nonEmpty(pick.env['SMTP_PASSWORD']);
  if (fromEnv !== undefined) {
    return { value: { text: fromEnv }, source: 'env', origin: 'SMTP_PASSWORD' };
  }
  if (url?.source === 'env' && urlHasPassword(url.value)) return undefined;
  const config = pick.config;
  if (config?.password !== undefined) {
    return {
      value: { text: config.password },
      source: 'config',
      origin: `password in ${pick.configName}`,
    };
  }
  if (config?.passwordFile !== undefined) {
    return {
      value: { file: config.passwordFile },
      source: 'config',
      origin: `passwordFile in ${pick.configName}`,
    };
  }
  return undefined;
}

function resolveOAuth(pick: Picker): OAuthSettings {
  return {
    provider: pick.enumOf('oauth-provider', 'provider', 'oauth2', [
      'token',
      'microsoft',
      'google',
    ] as const),
    user: pick.text('oauth-user', 'user', 'oauth2'),
    tenant: pick.text('oauth-tenant', 'tenant', 'oauth2'),
    clientId: pick.text('oauth-client-id', 'clientId', 'oauth2'),
    tokenUrl: pick.text('oauth-token-url', 'tokenUrl', 'oauth2'),
    scope: pick.text('oauth-scope', 'scope', 'oauth2'),
    accessToken: pick.secret(undefined, 'SMTP_OAUTH_TOKEN', 'accessToken', undefined),
    clientSecret: pick.secret(
      'oauth-client-secret-file',
      'SMTP_INVITE_OAUTH_CLIENT_SECRET',
      'clientSecret',
      'clientSecretFile',
    ),
    refreshToken: pick.secret(
      'oauth-refresh-token-file',
      'SMTP_INVITE_OAUTH_REFRESH_TOKEN',
      'refreshToken',
      'refreshTokenFile',
    ),
    certificateFile: pick.path('oauth-certificate-file', 'certificateFile', 'oauth2'),
    privateKeyFile: pick.path('oauth-private-key-file', 'privateKeyFile', 'oauth2'),
    serviceAccountFile: pick.path('oauth-service-account-file', 'serviceAccountFile', 'oauth2'),
  };
}

function resolveDkim(
  pick: Picker,
  configName: string,
  fallback: DkimFallback | undefined,
): DkimSettings | undefined {
  // Setting by setting, the batch's own value comes last: a resume that gives only the key (its
  // PEM text in the environment again) signs with the batch's domain and selector.
  const domain =
    pick.textWithEnv('dkim-domain', 'SMTP_INVITE_DKIM_DOMAIN', 'domain', 'dkim') ??
    fallback?.domain;
  const selector =
    pick.textWithEnv('dkim-selector', 'SMTP_INVITE_DKIM_SELECTOR', 'selector', 'dkim') ??
    fallback?.selector;
  const key = dkimKey(pick) ?? fallback?.key;
  if (domain === undefined && selector === undefined && key === undefined) return undefined;
  // Never unsigned, never a partial-settings message about a domain the user did not give.
  if (key === undefined && fallback !== undefined) {
    throw new SmtpInviteError('ERR_CONFIG', fallback.missingKey);
  }
  const missing = [
    domain === undefined
      ? `the domain (--dkim-domain, SMTP_INVITE_DKIM_DOMAIN or dkim.domain in ${configName})`
      : undefined,
    selector === undefined
      ? `the selector (--dkim-selector, SMTP_INVITE_DKIM_SELECTOR or dkim.selector in ${configName})`
      : undefined,
    key === undefined
      ? `the private key (--dkim-key FILE, SMTP_INVITE_DKIM_KEY_FILE, SMTP_INVITE_DKIM_KEY or dkim.keyFile in ${configName})`
      : undefined,
  ].filter((m): m is string => m !== undefined);
  if (domain === undefined || selector === undefined || key === undefined) {
    const given = [domain?.origin, selector?.origin, key?.origin].filter(
      (origin): origin is string => origin !== undefined,
    );
    throw new SmtpInviteError(
      'ERR_CONFIG',
      `DKIM signing needs a domain, a selector and a private key; ${given.join(' and ')} ${given.length === 1 ? 'is' : 'are'} set but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
    );
  }
  return { domain, selector, key };
}

function dkimKey(pick: Picker): Sourced<SecretInput> | undefined {
  const flag = pick.flags['dkim-key'];
  if (flag !== undefined) {
    return { value: { file: resolve(pick.cwd, flag) }, source: 'flag', origin: '--dkim-key' };
  }
  const file = nonEmpty(pick.env['SMTP_INVITE_DKIM_KEY_FILE']);
  const text = nonEmpty(pick.env['SMTP_INVITE_DKIM_KEY']);
  if (file !== undefined && text !== undefined) {
    throw new SmtpInviteError(
      'ERR_CONFIG',
      'both SMTP_INVITE_DKIM_KEY_FILE and SMTP_INVITE_DKIM_KEY are set: keep one of them',
    );
  }
  if (file !== undefined) {
    return {
      value: { file: resolve(pick.cwd, file) },
      source: 'env',
      origin: 'SMTP_INVITE_DKIM_KEY_FILE',
    };
  }
  if (text !== undefined) {
    return { value: { text }, source: 'env', origin: 'SMTP_INVITE_DKIM_KEY' };
  }
  const keyFile = pick.config?.dkim?.keyFile;
  if (keyFile !== undefined) {
    return {
      value: { file: keyFile },
      source: 'config',
      origin: `dkim.keyFile in ${pick.configName}`,
    };
  }
  return undefined;
}

type ConfigSection = 'oauth2' | 'dkim';

/** Reads one setting from the three layers. */
class Picker {
  readonly command: string;
  readonly flags: DeliveryFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly config: SmtpInviteConfig | undefined;
  readonly configName: string;

  constructor(
    command: string,
    flags: DeliveryFlags,
    env: NodeJS.ProcessEnv,
    cwd: string,
    config: SmtpInviteConfig | undefined,
    configName: string,
  ) {
    this.command = command;
    this.flags = flags;
    this.env = env;
    this.cwd = cwd;
    this.config = config;
    this.configName = configName;
  }

  private configValue(key: string, section: ConfigSection | undefined): unknown {
    const holder: unknown = section === undefined ? this.config : this.config?.[section];
    return holder === undefined ? undefined : (holder as Record<string, unknown>)[key];
  }

  private configOrigin(key: string, section: ConfigSection | undefined): string {
    return `${section === undefined ? '' : `${section}.`}${key} in ${this.configName}`;
  }

  /** A string flag (as given), else the config key. */
  text(
    flag: keyof DeliveryFlags,
    key: string,
    section: ConfigSection | undefined,
  ): Sourced<string> | undefined {
    const given = this.flags[flag];
    if (typeof given === 'string') return { value: given, source: 'flag', origin: `--${flag}` };
    const value = this.configValue(key, section);
    if (typeof value === 'string') {
      return { value, source: 'config', origin: this.configOrigin(key, section) };
    }
    return undefined;
  }

  /** A string flag, else an environment variable, else the config key. */
  textWithEnv(
    flag: keyof DeliveryFlags,
    envName: string,
    key: string,
    section: ConfigSection,
  ): Sourced<string> | undefined {
    const given = this.flags[flag];
    if (typeof given === 'string') return { value: given, source: 'flag', origin: `--${flag}` };
    const fromEnv = nonEmpty(this.env[envName]);
    if (fromEnv !== undefined) return { value: fromEnv, source: 'env', origin: envName };
    return this.text(flag, key, section);
  }

  /** A file path: the flag's against the working directory (the config's is resolved already). */
  path(
    flag: keyof DeliveryFlags,
    key: string,
    section: ConfigSection | undefined,
  ): Sourced<string> | undefined {
    const found = this.text(flag, key, section);
    if (found === undefined || found.source !== 'flag') return found;
    return { ...found, value: resolve(this.cwd, found.value) };
  }

  /** A boolean flag (only ever true: parseArgs booleans), else the config key. */
  flagOrConfig(flag: keyof DeliveryFlags, key: string): Sourced<boolean> | undefined {
    if (this.flags[flag] === true) return { value: true, source: 'flag', origin: `--${flag}` };
    const value = this.configValue(key, undefined);
    if (typeof value === 'boolean') {
      return { value, source: 'config', origin: this.configOrigin(key, undefined) };
    }
    return undefined;
  }

  /** One of `values`, from the flag or the config key (the config file is validated already). */
  enumOf<T extends string>(
    flag: keyof DeliveryFlags,
    key: string,
    section: ConfigSection | undefined,
    values: readonly T[],
  ): Sourced<T> | undefined {
    const found = this.text(flag, key, section);
    if (found === undefined) return undefined;
    if (!(values as readonly string[]).includes(found.value)) {
      const problem = `${found.origin} must be ${values.map((v) => `"${v}"`).join(' or ')}, not ${JSON.stringify(found.value)}`;
      throw found.source === 'flag'
        ? usage(this.command, problem)
        : new SmtpInviteError('ERR_CONFIG', problem);
    }
    return found as Sourced<T>;
  }

  /** A secret: a file flag, else an environment variable, else the config's inline or file key. */
  secret(
    fileFlag: keyof DeliveryFlags | undefined,
    envName: string,
    inlineKey: string,
    fileKey: string | undefined,
  ): Sourced<SecretInput> | undefined {
    const file = fileFlag === undefined ? undefined : this.flags[fileFlag];
    if (typeof file === 'string') {
      return { value: { file: resolve(this.cwd, file) }, source: 'flag', origin: `--${fileFlag}` };
    }
    const fromEnv = nonEmpty(this.env[envName]);
    if (fromEnv !== undefined) return { value: { text: fromEnv }, source: 'env', origin: envName };
    const inline = this.configValue(inlineKey, 'oauth2');
    if (typeof inline === 'string') {
      return {
        value: { text: inline },
        source: 'config',
        origin: this.configOrigin(inlineKey, 'oauth2'),
      };
    }
    const inFile = fileKey === undefined ? undefined : this.configValue(fileKey, 'oauth2');
    if (typeof inFile === 'string' && fileKey !== undefined) {
      return {
        value: { file: inFile },
        source: 'config',
        origin: this.configOrigin(fileKey, 'oauth2'),
      };
    }
    return undefined;
  }
}

/** True when the URL carries a password (`scheme://user:password@host`). */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url.trim()).password !== '';
  } catch {
    // Not a URL the transport would accept either; look for the shape anyway, so that a
    // malformed URL with a password is refused for what it holds.
    return /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url.trim());
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function usage(command: string, message: string): SmtpInviteError {
  return new SmtpInviteError(
    'ERR_USAGE',
    `${command}: ${message} (see smtp-invite ${command} --help)`,
  );
}
