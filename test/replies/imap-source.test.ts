/** The IMAP URL and TLS policy, without a network (the server side is test/integration/imap-ingest). */
import { describe, expect, it } from 'vitest';
import { SmtpInviteError } from '../../src/errors.ts';
import { buildImapOptions, parseImapUrl } from '../../src/replies/imap-source.ts';

function failure(f: () => unknown): SmtpInviteError {
  try {
    f();
  } catch (err) {
    if (err instanceof SmtpInviteError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('parseImapUrl', () => {
  it('reads scheme, host, default ports, user, password and mailbox', () => {
    expect(parseImapUrl('imaps://ada@Mail.Example.com/INBOX')).toEqual({
      secure: true,
      host: 'mail.example.com',
      port: 993,
      user: 'ada',
      mailbox: 'INBOX',
      loopback: false,
    });
    expect(
      parseImapUrl('imap://ada%40example.com:p%40ss@127.0.0.1:1143/Calendar%20replies'),
    ).toEqual({
      secure: false,
      host: '127.0.0.1',
      port: 1143,
      user: 'ada@example.com',
      password: 'p@ss',
      mailbox: 'Calendar replies',
      loopback: true,
    });
    expect(parseImapUrl('imap://ada@localhost').mailbox).toBe('INBOX');
    expect(parseImapUrl('imap://ada@localhost/').port).toBe(143);
  });

  it.each([
    ['smtp://ada@host/INBOX', /must start with imaps:\/\//],
    ['imap://host/INBOX', /names no user/],
    ['imap://ada@/INBOX', /no host|malformed/],
    ['imap://ada@host:99999/INBOX', /malformed|not valid/],
    ['imap://ada@host/INBOX?x=1', /query parameters/],
  ])('refuses %s with ERR_IMAP', (url, message) => {
    const err = failure(() => parseImapUrl(url));
    expect(err.code).toBe('ERR_IMAP');
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(message);
  });

  it('never echoes the password of a refused URL', () => {
    const err = failure(() => parseImapUrl('imap://ada:Sup3r-secret@host/INBOX#frag'));
    expect(err.message).not.toContain('Sup3r-secret');
  });
});

describe('buildImapOptions: the TLS policy mirrors SMTP', () => {
  const opts = (url: string, insecure = false) =>
    buildImapOptions({
      url,
      password: 'pw',
      ...(insecure ? { insecure, allowInsecureRemote: true } : {}),
    });

  it('refuses insecure toward a remote host unless allowInsecureRemote, as SMTP does', () => {
    for (const url of ['imaps://ada@mail.example.com', 'imap://ada@10.0.0.1']) {
      const err = failure(() => buildImapOptions({ url, password: 'pw', insecure: true }));
      expect(err.code).toBe('ERR_IMAP');
      expect(err.message).toMatch(/refused .*SMTP_INVITE_ALLOW_INSECURE=1/);
    }
    // Loopback needs no permission.
    expect(
      buildImapOptions({ url: 'imaps://ada@127.0.0.1', password: 'pw', insecure: true }).tls,
    ).toEqual({ rejectUnauthorized: false });
  });

  it('imaps://: TLS from the first byte, certificate verified unless --insecure', () => {
    expect(opts('imaps://ada@mail.example.com')).toMatchObject({
      secure: true,
      port: 993,
      tls: { rejectUnauthorized: true },
    });
    expect(opts('imaps://ada@mail.example.com', true).tls).toEqual({ rejectUnauthorized: false });
  });

  it('imap:// to loopback: plaintext; elsewhere STARTTLS required unless --insecure', () => {
    expect(opts('imap://ada@127.0.0.1:1143')).toMatchObject({ secure: false, doSTARTTLS: false });
    expect(opts('imap://ada@mail.example.com')).toMatchObject({
      secure: false,
      doSTARTTLS: true,
      tls: { rejectUnauthorized: true },
    });
    const relaxed = opts('imap://ada@mail.example.com', true);
    expect(relaxed.doSTARTTLS).toBeUndefined();
    expect(relaxed.tls).toEqual({ rejectUnauthorized: false });
  });

  it('the password: IMAP_PASSWORD wins over the URL; none at all is refused', () => {
    expect(opts('imap://ada:fromurl@127.0.0.1').auth).toEqual({ user: 'ada', pass: 'pw' });
    expect(buildImapOptions({ url: 'imap://ada:fromurl@127.0.0.1' }).auth).toEqual({
      user: 'ada',
      pass: 'fromurl',
    });
    expect(failure(() => buildImapOptions({ url: 'imap://ada@127.0.0.1' })).message).toMatch(
      /no password was given: set IMAP_PASSWORD/,
    );
  });
});
