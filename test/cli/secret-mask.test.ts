/** The mask every CLI write goes through: every form of every secret, tokens issued later too. */
import { describe, expect, it } from 'vitest';

import type { CliIo } from '../../src/cli/cli-io.ts';
import { createSecretMask, secretForms, withSecretMask } from '../../src/cli/secret-mask.ts';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('secretForms', () => {
  it('plain, URL-encoded, JSON-escaped, AUTH LOGIN, AUTH PLAIN and XOAUTH2 forms', () => {
    const forms = secretForms('p@ss"w\\rd', 'ann@example.com');
    expect(forms).toEqual(
      expect.arrayContaining([
        'p@ss"w\\rd',
        'p%40ss%22w%5Crd',
        'p@ss\\"w\\\\rd',
        b64('p@ss"w\\rd'),
        b64('\u0000ann@example.com\u0000p@ss"w\\rd'),
        b64('user=ann@example.com\u0001auth=Bearer p@ss"w\\rd\u0001\u0001'),
      ]),
    );
  });

  it('the lines of a PEM key on their own', () => {
    const line = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    const forms = secretForms(
      `-----BEGIN PRIVATE KEY-----\n${line}\nAB==\n-----END PRIVATE KEY-----`,
    );
    expect(forms).toContain(line);
    expect(forms).not.toContain('-----BEGIN PRIVATE KEY-----');
    expect(forms).not.toContain('AB==');
  });
});

describe('createSecretMask', () => {
  it('masks every form, longest first, and leaves other text alone', () => {
    const mask = createSecretMask();
    mask.add('hunter2', 'ann');
    expect(mask.mask('pw hunter2, url hunter2 b64 aHVudGVyMg== plain AGFubgBodW50ZXIy ok')).toBe(
      'pw ***, url *** b64 *** plain *** ok',
    );
    expect(mask.mask('nothing here')).toBe('nothing here');
  });

  it('asks a source at every write: a token issued later is masked from then on', () => {
    const issued: string[] = [];
    const mask = createSecretMask();
    mask.addSource(() => issued, 'ann@example.com');
    expect(mask.mask('tok-1')).toBe('tok-1');
    issued.push('tok-1');
    expect(mask.mask('tok-1')).toBe('***');
    const xoauth2 = b64('user=ann@example.com\u0001auth=Bearer tok-1\u0001\u0001');
    expect(mask.mask(`AUTH XOAUTH2 ${xoauth2}`)).toBe('AUTH XOAUTH2 ***');
  });

  it('ignores empty secrets (they would mask everything)', () => {
    const mask = createSecretMask();
    mask.add('');
    mask.add(undefined);
    expect(mask.mask('text')).toBe('text');
  });
});

describe('withSecretMask', () => {
  it('masks stdout and stderr, with the environment secrets known from the start', () => {
    let out = '';
    let err = '';
    const raw: CliIo = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {
        SMTP_PASSWORD: 'env-Password-1',
        SMTP_URL: 'smtp://ann:url%2FPass@mail.example.com',
        SMTP_OAUTH_TOKEN: 'token-XYZ',
        SMTP_INVITE_OAUTH_CLIENT_SECRET: 'client-Secret',
        SMTP_INVITE_OAUTH_REFRESH_TOKEN: 'refresh-Token',
      },
      cwd: '/',
      stderrIsTty: false,
      stdoutIsTty: false,
      readStdin: () => Promise.resolve(Buffer.alloc(0)),
    };
    const io = withSecretMask(raw);
    io.stdout.write('env-Password-1 url/Pass url%2FPass token-XYZ');
    io.stderr.write('client-Secret refresh-Token');
    io.secrets?.add('late-Secret');
    io.stderr.write(' late-Secret');
    expect(out).toBe('*** *** *** ***');
    expect(err).toBe('*** *** ***');
    // Wrapping twice keeps one mask.
    expect(withSecretMask(io)).toBe(io);
  });
});
