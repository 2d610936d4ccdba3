/**
 * The config file: where it is found (--config, SMTP_INVITE_CONFIG, the two default names), strict
 * validation with the file and the key named, relative paths, and the refusal of a file with an
 * inline secret that group or others can access. Real files in a temporary directory.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { loadCliConfig, parseCliConfig } from '../../src/cli/config-file.ts';
import { tempCliDir } from '../support/temp-cli-dir.ts';
import { thrown } from '../support/thrown.ts';

const dir = tempCliDir('smtp-invite-config-');
const { io, write } = dir;

describe('finding the config file', () => {
  it('no file anywhere: no config', () => {
    expect(loadCliConfig(io())).toBeUndefined();
  });

  it('is read once per invocation (one io): both readers of a command see the same content', () => {
    write('smtp-invite.config.json', { smtp: 'smtp://first.example.com' });
    const run = io();
    expect(loadCliConfig(run)?.smtp).toBe('smtp://first.example.com');
    write('smtp-invite.config.json', { smtp: 'smtp://second.example.com' });
    expect(loadCliConfig(run)?.smtp).toBe('smtp://first.example.com');
    // The next invocation reads the file again.
    expect(loadCliConfig(io())?.smtp).toBe('smtp://second.example.com');
  });

  it('finds smtp-invite.config.json, else .smtp-inviterc, in the working directory', () => {
    write('.smtp-inviterc', { smtp: 'smtp://rc.example.com' });
    expect(loadCliConfig(io())).toEqual({
      path: join(dir.path, '.smtp-inviterc'),
      smtp: 'smtp://rc.example.com',
    });
    write('smtp-invite.config.json', { smtp: 'smtp://json.example.com' });
    expect(loadCliConfig(io())?.smtp).toBe('smtp://json.example.com');
  });

  it('SMTP_INVITE_CONFIG names a file, relative to the working directory; --config wins over it', () => {
    write('smtp-invite.config.json', { smtp: 'smtp://default.example.com' });
    write('env.json', { smtp: 'smtp://env.example.com' });
    write('flag.json', { smtp: 'smtp://flag.example.com' });
    expect(loadCliConfig(io({ SMTP_INVITE_CONFIG: 'env.json' }))?.smtp).toBe(
      'smtp://env.example.com',
    );
    expect(loadCliConfig(io({ SMTP_INVITE_CONFIG: 'env.json' }), 'flag.json')?.smtp).toBe(
      'smtp://flag.example.com',
    );
    // An empty variable is not set.
    expect(loadCliConfig(io({ SMTP_INVITE_CONFIG: '' }))?.smtp).toBe('smtp://default.example.com');
  });

  it('a named file that does not exist is an error (a default one is not)', () => {
    const flag = thrown(() => loadCliConfig(io(), 'missing.json'));
    expect(flag.code).toBe('ERR_FILE_READ');
    expect(flag.message).toBe('--config missing.json: cannot read the config file (no such file)');
    const env = thrown(() =>
      loadCliConfig(io({ SMTP_INVITE_CONFIG: join(dir.path, 'nope.json') })),
    );
    expect(env.code).toBe('ERR_FILE_READ');
    expect(env.message).toContain('SMTP_INVITE_CONFIG nope.json');
  });

  it('a directory in place of the file is an error', () => {
    mkdirSync(join(dir.path, 'smtp-invite.config.json'));
    expect(thrown(() => loadCliConfig(io())).code).toBe('ERR_FILE_READ');
  });
});

describe('validation', () => {
  const full = {
    smtp: 'smtps://ann@mail.example.com',
    passwordFile: 'secrets/pw',
    insecure: false,
    tlsCa: '/etc/ssl/ca.pem',
    requireTls: true,
    auth: 'oauth2',
    oauth2: {
      provider: 'microsoft',
      user: 'ann@example.com',
      tenant: 'contoso.onmicrosoft.com',
      clientId: '00000000-0000-0000-0000-000000000000',
      tokenUrl: 'https://login.example.com/token',
      scope: 'https://outlook.office365.com/.default',
      clientSecretFile: 'secrets/client-secret',
      refreshTokenFile: '../refresh',
      certificateFile: 'cert.pem',
      privateKeyFile: 'key.pem',
      serviceAccountFile: 'sa.json',
    },
    dkim: { domain: 'example.com', selector: 's2026', keyFile: 'dkim.pem' },
    identity: {
      service: { name: 'Bookings', email: 'bookings@example.com' },
      sender: 'assistant@example.com',
    },
  };

  it('reads every key, with relative paths resolved against the file directory', () => {
    const path = join(dir.path, 'sub', 'c.json');
    const config = parseCliConfig(JSON.stringify(full), path);
    const sub = join(dir.path, 'sub');
    expect(config).toEqual({
      ...full,
      path,
      passwordFile: join(sub, 'secrets/pw'),
      oauth2: {
        ...full.oauth2,
        clientSecretFile: join(sub, 'secrets/client-secret'),
        refreshTokenFile: join(dir.path, 'refresh'),
        certificateFile: join(sub, 'cert.pem'),
        privateKeyFile: join(sub, 'key.pem'),
        serviceAccountFile: join(sub, 'sa.json'),
      },
      dkim: { ...full.dkim, keyFile: join(sub, 'dkim.pem') },
      identity: {
        service: { name: 'Bookings', email: 'bookings@example.com' },
        sender: { email: 'assistant@example.com' },
      },
    });
  });

  it('relative paths are relative to the file, not to the working directory', () => {
    mkdirSync(join(dir.path, 'conf'));
    mkdirSync(join(dir.path, 'work'));
    writeFileSync(join(dir.path, 'conf', 'c.json'), JSON.stringify({ tlsCa: 'ca.pem' }));
    const config = loadCliConfig(io({}, join(dir.path, 'work')), '../conf/c.json');
    expect(config?.tlsCa).toBe(join(dir.path, 'conf', 'ca.pem'));
  });

  it.each([
    [{ smtp: 25 }, 'c.json: smtp must be a string'],
    [{ smtp: '' }, 'c.json: smtp must not be empty (leave the key out instead)'],
    [{ insecure: 'yes' }, 'c.json: insecure must be true or false'],
    [{ auth: 'kerberos' }, 'c.json: auth must be one of "password", "oauth2"'],
    [{ oauth2: { clientId: 42 } }, 'c.json: oauth2.clientId must be a string'],
    [
      { oauth2: { provider: 'yahoo' } },
      'c.json: oauth2.provider must be one of "token", "microsoft", "google"',
    ],
    [{ oauth2: [] }, 'c.json: oauth2 must be an object ({"key": value, …})'],
    [
      { dkim: { selectr: 's1' } },
      'c.json: unknown key "dkim.selectr" (the keys in dkim are domain, selector, keyFile)',
    ],
    [
      { smpt: 'smtp://x.example.com' },
      'c.json: unknown key "smpt" (the keys at the top level are smtp, password',
    ],
    [
      { identity: { service: 'not an email' } },
      'c.json: identity.service "not an email" is not an email address',
    ],
    [
      { identity: { sender: { email: 'a@example.com', title: 'x' } } },
      'c.json: unknown key "identity.sender.title"',
    ],
    [
      { identity: { service: { name: 'A\r\nBcc: x@evil.example', email: 'a@example.com' } } },
      'c.json: identity.service.name must be one line of text',
    ],
    [{ identity: { service: { name: 'A' } } }, 'c.json: identity.service needs an "email"'],
    [{ oauth2: { user: 'a@example.com\r\nX: y' } }, 'c.json: oauth2.user must be one line of text'],
    [
      { smtp: 'http://mail.example.com' },
      'c.json: smtp is not a usable SMTP URL: unsupported scheme "http://"',
    ],
    [{ password: 'a', passwordFile: 'b' }, 'c.json: give password or passwordFile, not both'],
    [
      { oauth2: { refreshToken: 'a', refreshTokenFile: 'b' } },
      'c.json: give oauth2.refreshToken or oauth2.refreshTokenFile, not both',
    ],
    [[], 'c.json: the file must hold one JSON object'],
    ['"smtp"', 'c.json: the file must hold one JSON object'],
  ])('%j → %s', (content, message) => {
    const err = thrown(() =>
      parseCliConfig(
        typeof content === 'string' ? content : JSON.stringify(content),
        join(dir.path, 'c.json'),
        'c.json',
      ),
    );
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message.startsWith(message)).toBe(true);
  });

  it('null means not set', () => {
    expect(parseCliConfig('{"smtp": null, "dkim": {"domain": null}}', '/x/c.json')).toEqual({
      path: '/x/c.json',
      dkim: {},
    });
  });

  it('invalid JSON names the place, never the text around it (it may be a password)', () => {
    const err = thrown(() =>
      parseCliConfig('{\n  "password": "Hunter2-Secret"\n  "smtp": "x"\n}', '/x/c.json', 'c.json'),
    );
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toMatch(/^c\.json: not valid JSON at line 3, column \d+: /);
    expect(err.message).not.toContain('Hunter2');
    expect(thrown(() => parseCliConfig('{"smtp": "x"', '/x/c.json', 'c.json')).message).toContain(
      'not valid JSON',
    );
    expect(thrown(() => parseCliConfig('  \n', '/x/c.json', 'c.json')).message).toContain(
      'the file is empty',
    );
  });

  it('a key named __proto__ is an unknown key, not a prototype', () => {
    const err = thrown(() => parseCliConfig('{"__proto__": {"smtp": "x"}}', '/x/c.json', 'c.json'));
    expect(err.message).toContain('unknown key "__proto__"');
  });

  it('a UTF-8 byte order mark is accepted', () => {
    expect(parseCliConfig('\ufeff{"requireTls": true}', '/x/c.json').requireTls).toBe(true);
  });
});

describe('permissions of a file with inline secrets', () => {
  it.each([
    ['password', { password: 'pw' }],
    ['oauth2.accessToken', { oauth2: { accessToken: 't' } }],
    ['oauth2.clientSecret', { oauth2: { clientSecret: 's' } }],
    ['oauth2.refreshToken', { oauth2: { refreshToken: 'r' } }],
    ['a password in smtp', { smtp: 'smtp://ann:pw@mail.example.com' }],
  ])('%s at 0644 is refused with chmod 600; at 0600 it is read', (key, content) => {
    const path = write('smtp-invite.config.json', content, 0o644);
    const err = thrown(() => loadCliConfig(io()));
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toContain(`holds ${key} but group or others can access it (mode 0644)`);
    expect(err.message).toContain(`chmod 600 ${path}`);
    // The secret itself never appears.
    expect(err.message).not.toMatch(/"pw"|:pw@|\bt\b"/);
    chmodSync(path, 0o600);
    expect(loadCliConfig(io())).toBeDefined();
  });

  it('group-writable counts as well (0620), and so does others-only (0604)', () => {
    for (const mode of [0o620, 0o604, 0o640]) {
      write('smtp-invite.config.json', { password: 'pw' }, mode);
      expect(thrown(() => loadCliConfig(io())).code).toBe('ERR_CONFIG');
    }
  });

  it('a file every user can write is refused even without a secret: it decides where credentials go', () => {
    write('smtp-invite.config.json', { smtp: 'smtp://ann@mail.example.com' }, 0o666);
    const err = thrown(() => loadCliConfig(io()));
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toMatch(/any user can change this file \(mode 0666\).*chmod 644/);
    write('smtp-invite.config.json', { smtp: 'smtp://ann@mail.example.com' }, 0o664);
    expect(loadCliConfig(io())?.smtp).toBe('smtp://ann@mail.example.com');
  });

  it('no inline secret: 0644 is fine (file names of secrets are not secrets)', () => {
    write(
      'smtp-invite.config.json',
      {
        smtp: 'smtp://ann@mail.example.com',
        passwordFile: 'pw',
        oauth2: { clientSecretFile: 's' },
      },
      0o644,
    );
    expect(loadCliConfig(io())?.smtp).toBe('smtp://ann@mail.example.com');
  });
});

describe('the shipped examples', () => {
  it('examples/config/smtp-invite.config.json and every config example in the README are valid', () => {
    const root = new URL('../../', import.meta.url);
    const example = readFileSync(new URL('examples/config/smtp-invite.config.json', root), 'utf8');
    expect(parseCliConfig(example, '/x/smtp-invite.config.json').oauth2?.provider).toBe(
      'microsoft',
    );
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    // Every JSON block that sets "smtp" to a URL is a config file example (check-setup's --json
    // output has an "smtp" object).
    const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => m[1] ?? '')
      .filter((block) => /^\s*"smtp": "/m.test(block));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      expect(() => parseCliConfig(block, '/x/smtp-invite.config.json')).not.toThrow();
    }
  });
});
