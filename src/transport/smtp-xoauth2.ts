/**
 * The XOAUTH2 bridge between an OAuthTokenSource (oauth-token.ts) and nodemailer
 * (smtp-transport.ts): the adapter of nodemailer's XOAuth2 token generator
 * (nodemailer/lib/xoauth2, fed through its `provisionCallback`) and of the `auth` its
 * SMTPConnection.login() takes. It checks a source against the SMTP URL, hands out tokens per login,
 * renews once after a refused token, and lists the forms of the source's secrets to mask.
 */
import type { SMTPConnectionAuth } from 'nodemailer/lib/smtp-connection/index.js';
import XOAuth2 from 'nodemailer/lib/xoauth2/index.js';
import type { XOAuth2ProvisionCallback } from 'nodemailer/lib/xoauth2/index.js';

import { SmtpInviteError } from '../errors.ts';
import type { OAuthTokenSource } from './oauth-token.ts';
import { XOAUTH2_TOKEN_REFUSED, carryThroughNodemailer } from './smtp-errors.ts';

/**
 * XOAUTH2 replaces the password (RFC 7628: the token is the credential), and the URL may name
 * the mailbox only if it is the token's.
 */
export function checkOAuthSource(
  source: OAuthTokenSource,
  url: { readonly user?: string | undefined },
  password: string | undefined,
): void {
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.getToken !== 'function' ||
    typeof source.user !== 'string' ||
    source.user === ''
  ) {
    throw configError(
      'oauth2 must be a token source from createOAuthTokenSource() (with user and getToken)',
    );
  }
  if (password !== undefined) {
    throw configError(
      'both a password and OAuth2 were given: XOAUTH2 logs in with a token, so remove the password (SMTP_PASSWORD, --password-file, the URL) or use --auth password',
    );
  }
  if (url.user !== undefined && url.user.toLowerCase() !== source.user.toLowerCase()) {
    throw configError(
      `the SMTP URL names the user ${url.user} but the OAuth2 token is for ${source.user}: drop the user from the URL or make them the same (--oauth-user)`,
    );
  }
}

/**
 * The XOAUTH2 logins of one connection (or of the pool's, which has one at a time): nodemailer
 * asks `provision` for a token, with renew = true after the server refused one with a 334
 * challenge (RFC 7628 §3.2.3, what Google does). We remember which token went out and whether it
 * was already a renewed one, so that a plain 535 (what Exchange Online answers) gets one renewal
 * too, and so that a source with nothing new to give fails instead of offering the refused token.
 */
export interface XOAuth2Login {
  readonly source: OAuthTokenSource;
  readonly provision: XOAuth2ProvisionCallback;
  /** The token last handed to nodemailer. */
  lastToken: string | undefined;
  /** The current login already asked for a renewed token. */
  renewed: boolean;
}

export function xoauth2Login(source: OAuthTokenSource): XOAuth2Login {
  const login: XOAuth2Login = {
    source,
    lastToken: undefined,
    renewed: false,
    provision: (_user, renew, callback) => {
      // renew = false starts a login, true is nodemailer's retry within it.
      login.renewed = renew;
      const refused = renew ? login.lastToken : undefined;
      source.getToken(renew, refused).then(
        (token) => {
          if (renew && token === refused) {
            callback(
              Object.assign(
                new Error('the server refused the OAuth2 token and no other could be obtained'),
                { code: XOAUTH2_TOKEN_REFUSED },
              ),
            );
            return;
          }
          login.lastToken = token;
          callback(null, token);
        },
        (err: unknown) => callback(carryThroughNodemailer(tokenSourceError(err))),
      );
    },
  };
  return login;
}

/** A token source's failure as ERR_SMTP_AUTH (ours already are; a custom source's may not be). */
function tokenSourceError(err: unknown): SmtpInviteError {
  if (err instanceof SmtpInviteError) return err;
  return new SmtpInviteError(
    'ERR_SMTP_AUTH',
    'no OAuth2 token could be obtained: the token source failed (see the cause)',
    { cause: err },
  );
}

/** What nodemailer's login() gets for XOAUTH2: a token generator of its own kind, fed by us. */
export function xoauth2Auth(login: XOAuth2Login): SMTPConnectionAuth {
  const user = login.source.user;
  return { user, oauth2: new XOAuth2({ user, provisionCallback: login.provision }) };
}

/**
 * After a refused XOAUTH2 login that was not renewed yet: get a new token (unless another login
 * already did) and say whether trying again can help. Exchange Online's "SMTP AUTH disabled"
 * (5.7.139) is not about the token.
 */
export async function renewAfterRefusal(
  error: SmtpInviteError,
  login: XOAuth2Login | undefined,
): Promise<boolean> {
  if (
    login === undefined ||
    login.renewed ||
    login.lastToken === undefined ||
    error.code !== 'ERR_SMTP_AUTH' ||
    error.command !== 'AUTH XOAUTH2' ||
    error.responseCode !== 535 ||
    /5\.7\.139/.test(error.response ?? '')
  ) {
    return false;
  }
  const refused = login.lastToken;
  try {
    return (await login.source.getToken(true, refused)) !== refused;
  } catch {
    // The refusal is the failure to report; the next login asks the endpoint again.
    return false;
  }
}

/**
 * The password forms, and every secret of the token source with the XOAUTH2 string that carries
 * it (base64 of "user=…^Aauth=Bearer …^A^A"), read when an error is mapped (tokens are issued
 * later). Recomputed only when the source's list changes.
 */
export function oauthSecretForms(
  source: OAuthTokenSource,
  passwordForms: readonly string[],
): () => readonly string[] {
  let seen: readonly string[] | undefined;
  let forms: readonly string[] = passwordForms;
  return () => {
    const secrets = source.secrets();
    if (secrets !== seen) {
      seen = secrets;
      const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
      forms = [
        ...passwordForms,
        ...secrets.flatMap((secret) => [
          secret,
          b64(`user=${source.user}\x01auth=Bearer ${secret}\x01\x01`),
        ]),
      ].filter((s, i, all) => s !== '' && all.indexOf(s) === i);
    }
    return forms;
  };
}

function configError(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_SMTP_CONFIG', message);
}
