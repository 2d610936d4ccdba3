/**
 * What `smtp-invite check-setup` prints, pure: the resolved delivery settings one line each with
 * where each came from (flag, environment variable, config file, default), and the checks' results,
 * as text or as the documented --json object. A secret is never a value here: an inline secret is
 * shown as "(set)", a secret file by its path (the path is not the secret).
 */
import type { IdentityOptions } from '../flows/sender-identity.ts';
import type { ParsedSmtpUrl } from '../transport/smtp-transport.ts';
import type { DeliverySettings, SecretInput, Sourced } from './delivery-settings.ts';

export interface SettingLine {
  /** The key in --json, and the label in text: `smtp`, `oauth2.clientSecret`, `dkim.key`. */
  readonly key: string;
  /** undefined for a secret given inline (shown as "(set)"). */
  readonly value: string | undefined;
  /** `--smtp`, `SMTP_URL`, `smtp in smtp-invite.config.json`, `default`. */
  readonly origin: string;
  /** Added after the origin, e.g. the DKIM key's size. */
  readonly note?: string;
}

export interface CheckResult {
  /** `oauth2-token`, `smtp`, `dkim`, `dkim-dns`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was found, or what failed and how to fix it (the error's own message). */
  readonly detail: string;
  /** The ERR_* code of a failed check. */
  readonly code?: string;
}

export interface SetupFacts {
  readonly settings: DeliverySettings;
  readonly url: Sourced<string>;
  readonly parsedUrl: ParsedSmtpUrl;
  /** The transport's description: URL without password, TLS mode, XOAUTH2 user. */
  readonly smtpDescription: string;
  /** The config file as shown, and who named it; undefined when none. */
  readonly configFile: { readonly shown: string; readonly namedBy: string } | undefined;
  readonly identity: IdentityOptions;
  readonly identityOrigin: string;
  /** The DKIM key's size, once loaded. */
  readonly dkimKeyBits: number | undefined;
}

const SET = '(set)';

/** The settings, in the order a user checks them. */
export function describeSettings(facts: SetupFacts): SettingLine[] {
  const { settings, url, parsedUrl } = facts;
  const lines: SettingLine[] = [];
  const add = (key: string, value: string | undefined, origin: string, note?: string): void => {
    lines.push({ key, value, origin, ...(note === undefined ? {} : { note }) });
  };
  const addSourced = (key: string, sourced: Sourced<string | boolean> | undefined): void => {
    if (sourced !== undefined) add(key, String(sourced.value), sourced.origin);
  };
  const addSecret = (key: string, sourced: Sourced<SecretInput> | undefined): void => {
    if (sourced === undefined) return;
    add(key, 'file' in sourced.value ? sourced.value.file : undefined, sourced.origin);
  };

  const file = facts.configFile;
  if (file === undefined) {
    add(
      'configFile',
      'none',
      'the defaults: no --config, no SMTP_INVITE_CONFIG, no ./smtp-invite.config.json or ./.smtp-inviterc',
    );
  } else {
    add(
      'configFile',
      file.shown,
      file.namedBy === 'default' ? 'the current directory' : file.namedBy,
    );
  }
  add('smtp', facts.smtpDescription, url.origin);
  addSourced('tlsCa', settings.tlsCa);
  addSourced('requireTls', settings.requireTls);
  addSourced('insecure', settings.insecure);

  const oauth = settings.oauth;
  if (oauth !== undefined) {
    add('auth', 'oauth2 (XOAUTH2)', settings.auth?.origin ?? 'default');
    const provider = oauth.provider;
    add('oauth2.provider', provider?.value ?? 'token', provider?.origin ?? 'default');
    const user = oauth.user;
    add(
      'oauth2.user',
      user?.value ?? parsedUrl.user ?? 'none',
      user?.origin ?? `the user in ${url.origin}`,
    );
    addSourced('oauth2.tenant', oauth.tenant);
    addSourced('oauth2.clientId', oauth.clientId);
    addSourced('oauth2.tokenUrl', oauth.tokenUrl);
    addSourced('oauth2.scope', oauth.scope);
    addSecret('oauth2.accessToken', oauth.accessToken);
    addSecret('oauth2.clientSecret', oauth.clientSecret);
    addSecret('oauth2.refreshToken', oauth.refreshToken);
    addSourced('oauth2.certificateFile', oauth.certificateFile);
    addSourced('oauth2.privateKeyFile', oauth.privateKeyFile);
    addSourced('oauth2.serviceAccountFile', oauth.serviceAccountFile);
  } else if (parsedUrl.user === undefined) {
    add('auth', 'none (the SMTP URL names no user)', settings.auth?.origin ?? 'default');
  } else {
    add('auth', `password, as ${parsedUrl.user}`, settings.auth?.origin ?? 'default');
    if (settings.password !== undefined) addSecret('password', settings.password);
    else if (parsedUrl.password !== undefined)
      add('password', undefined, `the URL in ${url.origin}`);
  }

  const dkim = settings.dkim;
  if (dkim !== undefined) {
    addSourced('dkim.domain', dkim.domain);
    addSourced('dkim.selector', dkim.selector);
    const bits = facts.dkimKeyBits === undefined ? undefined : `RSA, ${facts.dkimKeyBits} bits`;
    const key = dkim.key;
    add('dkim.key', 'file' in key.value ? key.value.file : undefined, key.origin, bits);
  }
  add('identity', describeIdentity(facts.identity, dkim?.domain.value), facts.identityOrigin);
  return lines;
}

/** The sending mode and its From address (README "Who sends: three modes"). */
function describeIdentity(identity: IdentityOptions, dkimDomain: string | undefined): string {
  const organizerFrom = `From = the organizer's address, which comes with each event${
    dkimDomain === undefined
      ? ''
      : ` (DMARC counts the DKIM signature when it is at ${dkimDomain} or a subdomain)`
  }`;
  if (identity.service !== undefined) {
    return `service ${identity.service.email}: From = ${identity.service.email}, Reply-To = the organizer`;
  }
  if (identity.sender !== undefined) {
    return `sender ${identity.sender.email}: Sender = ${identity.sender.email}, ${organizerFrom}`;
  }
  return `the organizer sends as itself: ${organizerFrom}`;
}

/** One line per setting: `key: value (from origin)`, an inline secret `key: from origin (set)`. */
export function renderSettings(lines: readonly SettingLine[]): string {
  const body = lines.map((line) => {
    const note = line.note === undefined ? '' : `, ${line.note}`;
    return line.value === undefined
      ? `  ${line.key}: from ${line.origin} ${SET}${note}\n`
      : `  ${line.key}: ${line.value} (from ${line.origin})${note}\n`;
  });
  return `Settings (flags > environment > config file):\n${body.join('')}`;
}

export function renderCheck(check: CheckResult): string {
  return `  ${check.ok ? 'ok    ' : 'FAILED'} ${check.name}: ${check.detail}\n`;
}

export interface DkimRecordLine {
  /** `<s>._domainkey.<d>` */
  readonly name: string;
  /** `v=DKIM1; k=rsa; p=…` */
  readonly value: string;
}

export function renderDkimRecord(record: DkimRecordLine): string {
  return `DKIM: publish this TXT record at ${record.name}:\n${record.value}\n`;
}

export function renderSummary(checks: readonly CheckResult[]): string {
  const failed = checks.filter((check) => !check.ok).map((check) => check.name);
  return failed.length === 0
    ? 'Every check passed; no message was sent.\n'
    : `${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.join(', ')}); no message was sent.\n`;
}

/** The --json object (README "check-setup"). */
export function setupJson(
  lines: readonly SettingLine[],
  checks: readonly CheckResult[],
  dkimRecord: DkimRecordLine | undefined,
  warnings: readonly string[],
): string {
  const settings = Object.fromEntries(
    lines.map((line) => [
      line.key,
      {
        value: line.value ?? SET,
        origin: line.origin,
        ...(line.note === undefined ? {} : { note: line.note }),
      },
    ]),
  );
  return `${JSON.stringify({ settings, checks, dkimRecord: dkimRecord ?? null, warnings }, null, 2)}\n`;
}
