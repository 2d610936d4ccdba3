/**
 * OAuth2 access tokens for SMTP XOAUTH2 (Microsoft 365, Google Workspace). CONTRACT — implemented
 * by the OAuth2 work (issue 6 part 2); the types are fixed so that the CLI and the transport can be
 * written against them.
 */
import { SmtpInviteError } from '../errors.ts';

/** Where the SMTP transport gets the bearer token for each login. */
export interface OAuthTokenSource {
  /** The mailbox the token is for (the XOAUTH2 `user=`). */
  readonly user: string;
  /**
   * A valid access token. Cached until shortly before it expires; `renew` = true forces a new one
   * (the server refused the last). Throws ERR_SMTP_AUTH when none can be obtained.
   */
  getToken(renew: boolean): Promise<string>;
  /** Every secret this source holds or has issued (tokens, client secret, refresh token), to mask. */
  secrets(): readonly string[];
}

/** How to obtain tokens. `tokenUrl` overrides the provider's endpoint (tests, sovereign clouds). */
export type OAuthConfig =
  | {
      /** A ready access token (SMTP_OAUTH_TOKEN); never refreshed. */
      readonly provider: 'token';
      readonly user: string;
      readonly accessToken: string;
    }
  | {
      readonly provider: 'microsoft';
      readonly user: string;
      readonly tenant: string;
      readonly clientId: string;
      /** Client-credentials flow with a secret (SMTP.SendAsApp). */
      readonly clientSecret?: string;
      /** Client-credentials flow with a certificate: PEM private key + PEM certificate (for x5t). */
      readonly certificate?: { readonly privateKeyPem: string; readonly certificatePem: string };
      /** Delegated flow (SMTP.Send): a refresh token from an interactive sign-in. */
      readonly refreshToken?: string;
      readonly tokenUrl?: string;
      readonly scope?: string;
    }
  | {
      readonly provider: 'google';
      readonly user: string;
      /** Service account with domain-wide delegation: its JSON key's client_email and private_key. */
      readonly serviceAccount?: { readonly clientEmail: string; readonly privateKeyPem: string };
      /** Installed/web app: client id + secret + refresh token. */
      readonly clientId?: string;
      readonly clientSecret?: string;
      readonly refreshToken?: string;
      readonly tokenUrl?: string;
      readonly scope?: string;
    };

export interface OAuthTokenSourceOptions {
  /** Clock (ms since epoch); default Date.now. */
  readonly now?: () => number;
  /** HTTP client; default the global fetch. */
  readonly fetch?: typeof fetch;
}

export function createOAuthTokenSource(
  config: OAuthConfig,
  options: OAuthTokenSourceOptions = {},
): OAuthTokenSource {
  void config;
  void options;
  throw new SmtpInviteError('ERR_INTERNAL', 'createOAuthTokenSource is not implemented yet');
}
