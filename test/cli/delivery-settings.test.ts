/**
 * Precedence of every delivery setting, flags > environment > config file, as a table: each
 * setting is given in every combination of the layers that can hold it, and the highest layer
 * given must win (with its origin). Pure: no file is read, no connection made.
 */
import { describe, expect, it } from 'vitest';

import type { SmtpInviteConfig } from '../../src/cli/config-file.ts';
import {
  resolveDeliverySettings,
  type DeliveryFlags,
  type DeliverySettings,
} from '../../src/cli/delivery-settings.ts';
import { thrown } from '../support/thrown.ts';

const CWD = '/work/dir';
const CONFIG_PATH = '/etc/smtp-invite/smtp-invite.config.json';

function resolveWith(
  flags: DeliveryFlags,
  env: NodeJS.ProcessEnv = {},
  config?: Omit<SmtpInviteConfig, 'path'>,
): DeliverySettings {
  return resolveDeliverySettings({
    command: 'send',
    flags,
    env,
    cwd: CWD,
    config: config === undefined ? undefined : { path: CONFIG_PATH, ...config },
    configName: 'smtp-invite.config.json',
  });
}

interface Layer {
  readonly flags?: DeliveryFlags;
  readonly env?: NodeJS.ProcessEnv;
  readonly config?: Omit<SmtpInviteConfig, 'path'>;
  /** What the setting must be when this layer wins. */
  readonly expected: unknown;
  readonly origin: string;
}

interface Row {
  readonly setting: string;
  /** Settings that make the row meaningful (e.g. --auth oauth2 for the OAuth2 rows). */
  readonly base?: { flags?: DeliveryFlags; env?: NodeJS.ProcessEnv };
  readonly read: (s: DeliverySettings) => { value: unknown; origin: string } | undefined;
  readonly flag?: Layer;
  readonly env?: Layer;
  readonly config?: Layer;
}

const oauth = { flags: { auth: 'oauth2' } };

const ROWS: Row[] = [
  {
    setting: 'SMTP URL',
    read: (s) => (s.target.kind === 'smtp' ? s.target.url : undefined),
    flag: {
      flags: { smtp: 'smtp://flag.example.com' },
      expected: 'smtp://flag.example.com',
      origin: '--smtp',
    },
    env: {
      env: { SMTP_URL: 'smtp://env.example.com' },
      expected: 'smtp://env.example.com',
      origin: 'SMTP_URL',
    },
    config: {
      config: { smtp: 'smtp://file.example.com' },
      expected: 'smtp://file.example.com',
      origin: 'smtp in smtp-invite.config.json',
    },
  },
  {
    setting: 'password',
    read: (s) => s.password,
    flag: {
      flags: { 'password-file': 'pw.txt' },
      expected: { file: '/work/dir/pw.txt' },
      origin: '--password-file',
    },
    env: {
      env: { SMTP_PASSWORD: 'env-pw' },
      expected: { text: 'env-pw' },
      origin: 'SMTP_PASSWORD',
    },
    config: {
      config: { password: 'file-pw' },
      expected: { text: 'file-pw' },
      origin: 'password in smtp-invite.config.json',
    },
  },
  {
    setting: 'password (config passwordFile)',
    read: (s) => s.password,
    env: {
      env: { SMTP_PASSWORD: 'env-pw' },
      expected: { text: 'env-pw' },
      origin: 'SMTP_PASSWORD',
    },
    config: {
      config: { passwordFile: '/secrets/pw' },
      expected: { file: '/secrets/pw' },
      origin: 'passwordFile in smtp-invite.config.json',
    },
  },
  {
    setting: 'TLS CA',
    read: (s) => s.tlsCa,
    flag: { flags: { 'tls-ca': 'ca.pem' }, expected: '/work/dir/ca.pem', origin: '--tls-ca' },
    config: {
      config: { tlsCa: '/etc/ssl/private-ca.pem' },
      expected: '/etc/ssl/private-ca.pem',
      origin: 'tlsCa in smtp-invite.config.json',
    },
  },
  {
    setting: 'require TLS',
    read: (s) => s.requireTls,
    flag: { flags: { 'require-tls': true }, expected: true, origin: '--require-tls' },
    config: {
      config: { requireTls: false },
      expected: false,
      origin: 'requireTls in smtp-invite.config.json',
    },
  },
  {
    setting: 'insecure',
    read: (s) => s.insecure,
    flag: { flags: { insecure: true }, expected: true, origin: '--insecure' },
    config: {
      config: { insecure: false },
      expected: false,
      origin: 'insecure in smtp-invite.config.json',
    },
  },
  {
    setting: 'auth',
    read: (s) => s.auth,
    flag: { flags: { auth: 'password' }, expected: 'password', origin: '--auth' },
    config: {
      config: { auth: 'oauth2' },
      expected: 'oauth2',
      origin: 'auth in smtp-invite.config.json',
    },
  },
  ...(
    [
      ['provider', 'oauth-provider', 'microsoft', 'google'],
      ['user', 'oauth-user', 'flag@example.com', 'file@example.com'],
      ['tenant', 'oauth-tenant', 'flag-tenant', 'file-tenant'],
      ['clientId', 'oauth-client-id', 'flag-client', 'file-client'],
      ['tokenUrl', 'oauth-token-url', 'http://127.0.0.1:1/flag', 'http://127.0.0.1:1/file'],
      ['scope', 'oauth-scope', 'flag-scope', 'file-scope'],
    ] as const
  ).map(([key, flag, flagValue, fileValue]): Row => ({
    setting: `oauth2.${key}`,
    base: oauth,
    read: (s) => s.oauth?.[key],
    flag: { flags: { [flag]: flagValue }, expected: flagValue, origin: `--${flag}` },
    config: {
      config: { oauth2: { [key]: fileValue } },
      expected: fileValue,
      origin: `oauth2.${key} in smtp-invite.config.json`,
    },
  })),
  ...(
    [
      ['certificateFile', 'oauth-certificate-file'],
      ['privateKeyFile', 'oauth-private-key-file'],
      ['serviceAccountFile', 'oauth-service-account-file'],
    ] as const
  ).map(([key, flag]): Row => ({
    setting: `oauth2.${key}`,
    base: oauth,
    read: (s) => s.oauth?.[key],
    flag: { flags: { [flag]: 'f.pem' }, expected: '/work/dir/f.pem', origin: `--${flag}` },
    config: {
      config: { oauth2: { [key]: '/secrets/c.pem' } },
      expected: '/secrets/c.pem',
      origin: `oauth2.${key} in smtp-invite.config.json`,
    },
  })),
  {
    setting: 'OAuth2 access token',
    base: oauth,
    read: (s) => s.oauth?.accessToken,
    env: {
      env: { SMTP_OAUTH_TOKEN: 'env-token' },
      expected: { text: 'env-token' },
      origin: 'SMTP_OAUTH_TOKEN',
    },
    config: {
      config: { oauth2: { accessToken: 'file-token' } },
      expected: { text: 'file-token' },
      origin: 'oauth2.accessToken in smtp-invite.config.json',
    },
  },
  ...(
    [
      ['clientSecret', 'oauth-client-secret-file', 'SMTP_INVITE_OAUTH_CLIENT_SECRET'],
      ['refreshToken', 'oauth-refresh-token-file', 'SMTP_INVITE_OAUTH_REFRESH_TOKEN'],
    ] as const
  ).flatMap(([key, flag, envName]): Row[] => [
    {
      setting: `oauth2.${key}`,
      base: oauth,
      read: (s) => s.oauth?.[key],
      flag: {
        flags: { [flag]: 's.txt' },
        expected: { file: '/work/dir/s.txt' },
        origin: `--${flag}`,
      },
      env: { env: { [envName]: 'env-secret' }, expected: { text: 'env-secret' }, origin: envName },
      config: {
        config: { oauth2: { [key]: 'file-secret' } },
        expected: { text: 'file-secret' },
        origin: `oauth2.${key} in smtp-invite.config.json`,
      },
    },
    {
      setting: `oauth2.${key}File`,
      base: oauth,
      read: (s) => s.oauth?.[key],
      env: { env: { [envName]: 'env-secret' }, expected: { text: 'env-secret' }, origin: envName },
      config: {
        config: { oauth2: { [`${key}File`]: '/secrets/s' } },
        expected: { file: '/secrets/s' },
        origin: `oauth2.${key}File in smtp-invite.config.json`,
      },
    },
  ]),
  ...(
    [
      [
        'domain',
        'dkim-domain',
        'SMTP_INVITE_DKIM_DOMAIN',
        'flag.example',
        'env.example',
        'file.example',
      ],
      ['selector', 'dkim-selector', 'SMTP_INVITE_DKIM_SELECTOR', 'sflag', 'senv', 'sfile'],
    ] as const
  ).map(([key, flag, envName, flagValue, envValue, fileValue]): Row => ({
    setting: `dkim.${key}`,
    // The other two DKIM settings, so that DKIM is complete.
    base: {
      env: {
        SMTP_INVITE_DKIM_DOMAIN: 'base.example',
        SMTP_INVITE_DKIM_SELECTOR: 'base',
        SMTP_INVITE_DKIM_KEY_FILE: '/k.pem',
      },
    },
    read: (s) => s.dkim?.[key],
    flag: { flags: { [flag]: flagValue }, expected: flagValue, origin: `--${flag}` },
    env: { env: { [envName]: envValue }, expected: envValue, origin: envName },
    config: {
      // The base env sets this key too: the config row removes it (see below).
      config: { dkim: { [key]: fileValue } },
      expected: fileValue,
      origin: `dkim.${key} in smtp-invite.config.json`,
    },
  })),
  {
    setting: 'dkim key',
    base: { env: { SMTP_INVITE_DKIM_DOMAIN: 'example.com', SMTP_INVITE_DKIM_SELECTOR: 's1' } },
    read: (s) => s.dkim?.key,
    flag: {
      flags: { 'dkim-key': 'k.pem' },
      expected: { file: '/work/dir/k.pem' },
      origin: '--dkim-key',
    },
    env: {
      env: { SMTP_INVITE_DKIM_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' },
      expected: { text: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' },
      origin: 'SMTP_INVITE_DKIM_KEY',
    },
    config: {
      config: { dkim: { keyFile: '/secrets/dkim.pem' } },
      expected: { file: '/secrets/dkim.pem' },
      origin: 'dkim.keyFile in smtp-invite.config.json',
    },
  },
];

/** Every non-empty combination of the layers a row has, with the one that must win. */
function combinations(row: Row): { name: string; layers: Layer[]; winner: Layer }[] {
  const available = (['flag', 'env', 'config'] as const).filter((k) => row[k] !== undefined);
  const result: { name: string; layers: Layer[]; winner: Layer }[] = [];
  for (let mask = 1; mask < 1 << available.length; mask++) {
    const names = available.filter((_, i) => (mask & (1 << i)) !== 0);
    const layers = names.map((n) => row[n] as Layer);
    result.push({ name: names.join(' + '), layers, winner: layers[0] as Layer });
  }
  return result;
}

describe('delivery settings: flags > environment > config file', () => {
  const cases = ROWS.flatMap((row) =>
    combinations(row).map((c) => ({ ...c, row, title: `${row.setting}: ${c.name}` })),
  );

  it.each(cases)('$title', ({ row, layers, winner }) => {
    let flags: DeliveryFlags = { ...row.base?.flags };
    let env: NodeJS.ProcessEnv = { ...row.base?.env };
    let config: Record<string, unknown> | undefined;
    for (const layer of layers) {
      flags = { ...flags, ...layer.flags };
      env = { ...env, ...layer.env };
      if (layer.config !== undefined) {
        config = { ...config, ...layer.config };
        // A config value must not be hidden by the row's base environment.
        if (row.setting.startsWith('dkim.') && layers.length === 1) {
          const key =
            row.setting === 'dkim.domain' ? 'SMTP_INVITE_DKIM_DOMAIN' : 'SMTP_INVITE_DKIM_SELECTOR';
          delete env[key];
        }
      }
    }
    const settings = resolveWith(flags, env, config);
    const got = row.read(settings);
    expect(got?.value).toEqual(winner.expected);
    expect(got?.origin).toBe(winner.origin);
  });

  it('covers every delivery flag that takes a value from more than one place', () => {
    const flagged = new Set(ROWS.flatMap((r) => Object.keys(r.flag?.flags ?? {})));
    for (const flag of [
      'smtp',
      'password-file',
      'tls-ca',
      'require-tls',
      'insecure',
      'auth',
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
      'dkim-domain',
      'dkim-selector',
      'dkim-key',
    ]) {
      expect(flagged, flag).toContain(flag);
    }
  });
});

describe('delivery settings: target and password', () => {
  it('dry run, then --outbox, then SMTP, then ./outbox by default', () => {
    const env = { SMTP_URL: 'smtp://env.example.com' };
    expect(resolveWith({ 'dry-run': true, outbox: 'out' }, env).target).toEqual({
      kind: 'dry-run',
    });
    expect(resolveWith({ outbox: 'out' }, env).target).toEqual({
      kind: 'outbox',
      dir: '/work/dir/out',
      defaulted: false,
    });
    expect(resolveWith({}, {}, {}).target).toEqual({
      kind: 'outbox',
      dir: '/work/dir/outbox',
      defaulted: true,
    });
  });

  it('refuses --smtp with --outbox', () => {
    const err = thrown(() => resolveWith({ smtp: 'smtp://a.example.com', outbox: 'o' }));
    expect(err.code).toBe('ERR_USAGE');
    expect(err.message).toContain('either --smtp or --outbox');
  });

  it('refuses a password inside --smtp, without repeating it, and says where it goes', () => {
    const err = thrown(() => resolveWith({ smtp: 'smtp://ann:Sup3r-Secret@mail.example.com' }));
    expect(err.code).toBe('ERR_USAGE');
    expect(err.message).not.toContain('Sup3r-Secret');
    expect(err.message).toContain('SMTP_PASSWORD');
    expect(err.message).toContain('--password-file');
    expect(err.message).toContain('config file');
    // Even a URL the transport could not parse.
    expect(thrown(() => resolveWith({ smtp: 'smtp://ann:pw@' })).code).toBe('ERR_USAGE');
  });

  it('accepts a password inside SMTP_URL or the config file smtp, and leaves it to the URL', () => {
    const fromEnv = resolveWith({}, { SMTP_URL: 'smtp://ann:pw@mail.example.com' });
    expect(fromEnv.target).toMatchObject({ kind: 'smtp', url: { source: 'env' } });
    expect(fromEnv.password).toBeUndefined();
    const fromFile = resolveWith({}, {}, { smtp: 'smtp://ann:pw@mail.example.com' });
    expect(fromFile.password).toBeUndefined();
  });

  it('a password inside SMTP_URL outranks the config file password; SMTP_PASSWORD outranks both', () => {
    const config = { password: 'file-pw' };
    expect(
      resolveWith({}, { SMTP_URL: 'smtp://ann:url-pw@h.example.com' }, config).password,
    ).toBeUndefined();
    expect(resolveWith({}, { SMTP_URL: 'smtp://ann@h.example.com' }, config).password?.origin).toBe(
      'password in smtp-invite.config.json',
    );
    expect(
      resolveWith(
        {},
        { SMTP_URL: 'smtp://ann:url-pw@h.example.com', SMTP_PASSWORD: 'env-pw' },
        config,
      ).password?.value,
    ).toEqual({ text: 'env-pw' });
  });

  it('an empty environment variable counts as not set', () => {
    const s = resolveWith(
      {},
      { SMTP_URL: '', SMTP_PASSWORD: '' },
      { smtp: 'smtp://f.example.com', password: 'p' },
    );
    expect(s.target).toMatchObject({ url: { source: 'config' } });
    expect(s.password?.source).toBe('config');
  });

  it('SMTP_INVITE_ALLOW_INSECURE must be exactly 1', () => {
    expect(resolveWith({}, { SMTP_INVITE_ALLOW_INSECURE: '1' }).allowInsecureRemote).toBe(true);
    for (const value of ['', '0', 'true', 'yes']) {
      expect(resolveWith({}, { SMTP_INVITE_ALLOW_INSECURE: value }).allowInsecureRemote).toBe(
        false,
      );
    }
  });
});

describe('delivery settings: OAuth2 and DKIM errors', () => {
  it('an --oauth-* flag without --auth oauth2 is a usage error naming it', () => {
    const err = thrown(() => resolveWith({ 'oauth-tenant': 't' }));
    expect(err.code).toBe('ERR_USAGE');
    expect(err.message).toContain('--oauth-tenant is for OAuth2: add --auth oauth2');
  });

  it('OAuth2 ignores the password sources (the token is the credential)', () => {
    const s = resolveWith({ auth: 'oauth2' }, { SMTP_PASSWORD: 'pw' });
    expect(s.password).toBeUndefined();
    expect(s.oauth).toBeDefined();
  });

  it('bad --auth and --oauth-provider values are usage errors; a bad one in the file is ERR_CONFIG', () => {
    expect(thrown(() => resolveWith({ auth: 'kerberos' })).code).toBe('ERR_USAGE');
    const provider = thrown(() => resolveWith({ auth: 'oauth2', 'oauth-provider': 'yahoo' }));
    expect(provider.code).toBe('ERR_USAGE');
    expect(provider.message).toContain('"token" or "microsoft" or "google"');
  });

  it('partial DKIM settings name what is set and what is missing, with where to set it', () => {
    const err = thrown(() =>
      resolveWith({ 'dkim-domain': 'example.com' }, {}, { dkim: { selector: 's1' } }),
    );
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toContain(
      '--dkim-domain and dkim.selector in smtp-invite.config.json are set',
    );
    expect(err.message).toContain('the private key (--dkim-key FILE, SMTP_INVITE_DKIM_KEY_FILE');
    expect(err.message).not.toContain('the selector (');
  });

  it('both SMTP_INVITE_DKIM_KEY_FILE and SMTP_INVITE_DKIM_KEY is a conflict', () => {
    const err = thrown(() =>
      resolveWith(
        {},
        {
          SMTP_INVITE_DKIM_DOMAIN: 'example.com',
          SMTP_INVITE_DKIM_SELECTOR: 's',
          SMTP_INVITE_DKIM_KEY_FILE: '/k',
          SMTP_INVITE_DKIM_KEY: 'pem',
        },
      ),
    );
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toContain('keep one of them');
  });

  it('no DKIM setting anywhere: no signing', () => {
    expect(resolveWith({}).dkim).toBeUndefined();
  });
});
