/**
 * What a provider's token flow (oauth-microsoft.ts, oauth-google.ts) gives the refreshing token
 * source (oauth-token.ts) and the token request (oauth-token-request.ts), and the scopes and token
 * endpoint the providers document. No code: the flows and the source share it without importing
 * each other.
 */

/** Microsoft 365 app-only (client credentials, SMTP.SendAsApp). */
export const MICROSOFT_APP_SCOPE = 'https://outlook.office365.com/.default';
/** Microsoft 365 delegated (SMTP.Send), with a refresh token. */
export const MICROSOFT_DELEGATED_SCOPE = 'https://outlook.office.com/SMTP.Send offline_access';
export const GOOGLE_SCOPE = 'https://mail.google.com/';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** What a provider's flow contributes: how to ask, and how to explain a refusal. */
export interface Flow {
  readonly provider: 'microsoft' | 'google';
  readonly user: string;
  /** "Microsoft Entra ID" / "Google". */
  readonly providerName: string;
  readonly tokenUrl: URL;
  /** The form of the next request (assertions are signed here, with the clock). */
  form(refreshToken: string | undefined): URLSearchParams;
  /** The refresh token this flow starts from, if it is a refresh flow. */
  readonly refreshToken?: string;
  /** Secrets held from the start: client secret, refresh token, private key. */
  readonly heldSecrets: readonly string[];
  /** What to check when the endpoint answers with `error` (and its description). */
  explain(error: string, description: string): string;
  /** What to check when the SMTP server refuses a token of this flow. */
  readonly hint: string;
}
