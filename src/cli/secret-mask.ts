/**
 * Secrets are masked where the CLI writes, not in each message: every string written to stdout or
 * stderr passes through one mask that knows every secret of the invocation (README "Secrets"). A
 * message written by a part of the program that never heard of masking (a server reply quoted in
 * an error, a stack trace, a --json report) is covered all the same.
 *
 * A secret travels in more forms than its plain text, and any of them could be echoed back: the
 * SMTP URL form (percent-encoded), a JSON string (escaped), AUTH LOGIN (base64 of the password),
 * AUTH PLAIN (RFC 4616: base64 of NUL user NUL password) and XOAUTH2 (base64 of
 * `user=…^Aauth=Bearer …^A^A`, Google's and Microsoft's SASL format). All of them are masked.
 *
 * OAuth2 access tokens appear while the command runs (each refresh issues a new one): a token
 * source is registered once and asked at write time; the forms of a token are computed once.
 */
import type { CliIo } from './cli-io.ts';

export const MASK = '***';

/** The environment variables that hold secrets themselves (not file names). */
export const SECRET_ENV_VARIABLES = [
  'SMTP_PASSWORD',
  'SMTP_OAUTH_TOKEN',
  'SMTP_INVITE_OAUTH_CLIENT_SECRET',
  'SMTP_INVITE_OAUTH_REFRESH_TOKEN',
  'SMTP_INVITE_DKIM_KEY',
] as const;

export interface SecretMask {
  /** A secret (and, with the user it belongs to, its SASL payloads). Empty strings are ignored. */
  add(secret: string | undefined, user?: string): void;
  /** Secrets known later (OAuth2 access tokens as they are issued), asked at every write. */
  addSource(source: () => readonly string[], user?: string): void;
  /** `text` with every form of every secret replaced by `***`. */
  mask(text: string): string;
}

/** The forms a secret can take on the way out (see the module comment); no empty string. */
export function secretForms(secret: string, user?: string): string[] {
  if (secret === '') return [];
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
  forms.push(b64(secret));
  if (user !== undefined && user !== '') {
    forms.push(b64(`\u0000${user}\u0000${secret}`));
    forms.push(b64(`user=${user}\u0001auth=Bearer ${secret}\u0001\u0001`));
  }
  // Each line of a multi-line secret (a PEM key) on its own as well: an error may quote one.
  if (/[\r\n]/.test(secret)) {
    for (const line of secret.split(/\r?\n/)) {
      if (line.length >= MIN_LINE_LENGTH && !/^-----/.test(line)) forms.push(line);
    }
  }
  return [...new Set(forms.filter((form) => form !== ''))];
}

// Lines of a PEM body are 64 characters; shorter ones (the last line) are still masked when long
// enough not to be ordinary words.
const MIN_LINE_LENGTH = 16;

export function createSecretMask(): SecretMask {
  const fixed = new Set<string>();
  const sources: { read: () => readonly string[]; user: string | undefined; seen: Set<string> }[] =
    [];
  // Longest first: a form that contains another (base64 of PLAIN holds no password, but a
  // percent-encoded password may hold the plain one) is masked whole.
  let sorted: string[] = [];
  let dirty = false;
  const addForms = (forms: readonly string[]): void => {
    for (const form of forms) {
      if (!fixed.has(form)) {
        fixed.add(form);
        dirty = true;
      }
    }
  };
  return {
    add(secret, user) {
      if (secret === undefined || secret === '') return;
      addForms(secretForms(secret, user));
    },
    addSource(read, user) {
      sources.push({ read, user, seen: new Set() });
    },
    mask(text) {
      for (const source of sources) {
        let issued: readonly string[];
        try {
          issued = source.read();
        } catch {
          continue;
        }
        for (const secret of issued) {
          if (secret === '' || source.seen.has(secret)) continue;
          source.seen.add(secret);
          addForms(secretForms(secret, source.user));
        }
      }
      if (dirty) {
        sorted = [...fixed].sort((a, b) => b.length - a.length);
        dirty = false;
      }
      let result = text;
      for (const form of sorted) {
        if (result.includes(form)) result = result.replaceAll(form, MASK);
      }
      return result;
    },
  };
}

/** Registers the secrets given in the environment (SMTP_PASSWORD…, the password in SMTP_URL). */
export function addEnvironmentSecrets(mask: SecretMask, env: NodeJS.ProcessEnv): void {
  const user = urlUser(env['SMTP_URL']);
  for (const name of SECRET_ENV_VARIABLES) mask.add(env[name], user);
  addUrlSecrets(mask, env['SMTP_URL']);
}

/** The password inside a URL, decoded and as written (which may encode differently). */
export function addUrlSecrets(mask: SecretMask | undefined, url: string | undefined): void {
  const user = urlUser(url);
  mask?.add(urlPasswordOf(url), user);
  mask?.add(parseLoosely(url)?.password, user);
}

/**
 * The io with stdout and stderr masked, and `secrets` for the command to register what it learns
 * (a password file, a config file's secrets, an OAuth2 token source). An io that already has a
 * mask is returned as it is.
 */
export function withSecretMask(io: CliIo): CliIo {
  if (io.secrets !== undefined) return io;
  const mask = createSecretMask();
  addEnvironmentSecrets(mask, io.env);
  const { stdout, stderr } = io;
  return {
    ...io,
    stdout: { write: (text: string) => stdout.write(mask.mask(text)) },
    stderr: { write: (text: string) => stderr.write(mask.mask(text)) },
    secrets: mask,
  };
}

/** The password of an SMTP URL, percent-decoded; undefined when none or not a URL. */
export function urlPasswordOf(url: string | undefined): string | undefined {
  const parsed = parseLoosely(url);
  if (parsed === undefined || parsed.password === '') return undefined;
  return safeDecode(parsed.password);
}

function urlUser(url: string | undefined): string | undefined {
  const parsed = parseLoosely(url);
  if (parsed === undefined || parsed.username === '') return undefined;
  return safeDecode(parsed.username);
}

function parseLoosely(url: string | undefined): URL | undefined {
  if (url === undefined || url.trim() === '') return undefined;
  try {
    return new URL(url.trim());
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
