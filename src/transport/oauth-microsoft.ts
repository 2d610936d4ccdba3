/**
 * The Microsoft Entra ID token flows for Exchange Online SMTP (RFC 6749 §4.4 / §6, RFC 7523):
 * - app-only (client credentials, SMTP.SendAsApp) with a client secret or a certificate (a signed
 *   `client_assertion`, see oauth-jwt.ts); scope https://outlook.office365.com/.default
 *   (https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
 * - delegated (SMTP.Send): a refresh token from an interactive sign-in; scope
 *   https://outlook.office.com/SMTP.Send offline_access. Entra ID rotates refresh tokens (the
 *   refreshing source in oauth-token.ts keeps the new one).
 * And what to check for the AADSTS errors people meet with SMTP apps.
 */
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import type { Flow } from './oauth-flow.ts';
import { MICROSOFT_APP_SCOPE, MICROSOFT_DELEGATED_SCOPE } from './oauth-flow.ts';
import {
  certificateThumbprints,
  readCertificate,
  readRsaPrivateKey,
  signJwt,
} from './oauth-jwt.ts';
import {
  FIELD_SOURCES,
  checkId,
  checkPem,
  checkScope,
  checkTokenUrl,
  checkUser,
  configError,
  optionalSecret,
  required,
} from './oauth-settings.ts';
import type { OAuthConfig } from './oauth-token.ts';

const MICROSOFT_HOST = 'login.microsoftonline.com';
/** Microsoft's client assertion lives 10 minutes at most (certificate-credentials page). */
const ASSERTION_LIFETIME_S = 600;

export function microsoftFlow(
  config: Extract<OAuthConfig, { provider: 'microsoft' }>,
  now: () => number,
): Flow {
  const label = 'OAuth2 (microsoft)';
  const user = checkUser(config.user, label);
  const tenant = required(
    config.tenant,
    'tenant',
    label,
    'the directory (tenant) ID or a verified domain of the tenant',
  );
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/.test(tenant)) {
    throw configError(
      `${label}: the tenant must be the directory (tenant) ID (a GUID) or a verified domain like contoso.onmicrosoft.com (${FIELD_SOURCES.tenant})`,
    );
  }
  const clientId = checkId(
    required(
      config.clientId,
      'clientId',
      label,
      'the application (client) ID of the app registration',
    ),
    'clientId',
    label,
  );
  const clientSecret = optionalSecret(config.clientSecret, 'clientSecret', label);
  const refreshToken = optionalSecret(config.refreshToken, 'refreshToken', label);
  const certificate = config.certificate;
  if (clientSecret !== undefined && certificate !== undefined) {
    throw configError(
      `${label}: both a client secret and a certificate were given: give one of them (${FIELD_SOURCES.clientSecret}; ${FIELD_SOURCES.certificate})`,
    );
  }
  if (clientSecret === undefined && certificate === undefined && refreshToken === undefined) {
    throw configError(
      `${label}: no credential was given: give a client secret (${FIELD_SOURCES.clientSecret}) or a certificate (${FIELD_SOURCES.certificate}) for the app-only flow (SMTP.SendAsApp), or a refresh token (${FIELD_SOURCES.refreshToken}) for the delegated flow (SMTP.Send)`,
    );
  }
  const appOnly = refreshToken === undefined;
  if (appOnly && /^(common|organizations|consumers)$/i.test(tenant)) {
    throw configError(
      `${label}: the app-only flow needs your own tenant, not "${tenant}": give the directory (tenant) ID or a verified domain (${FIELD_SOURCES.tenant})`,
    );
  }
  const tokenUrl = checkTokenUrl(
    config.tokenUrl ?? `https://${MICROSOFT_HOST}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
    label,
  );
  const scope = checkScope(
    config.scope ?? (appOnly ? MICROSOFT_APP_SCOPE : MICROSOFT_DELEGATED_SCOPE),
    label,
  );

  let signer: { key: KeyObject; x5tS256: string } | undefined;
  const held: string[] = [];
  if (clientSecret !== undefined) held.push(clientSecret, encodeURIComponent(clientSecret));
  if (refreshToken !== undefined) held.push(refreshToken);
  if (certificate !== undefined) {
    if (typeof certificate !== 'object' || certificate === null) {
      throw configError(`${label}: the certificate must be { privateKeyPem, certificatePem }`);
    }
    const keyPem = checkPem(certificate.privateKeyPem, 'the private key of the certificate', label);
    const certPem = checkPem(certificate.certificatePem, 'the certificate', label);
    held.push(keyPem);
    const key = readRsaPrivateKey(keyPem, `${label}: the private key (--oauth-private-key-file)`);
    const cert = readCertificate(certPem, `${label}: the certificate (--oauth-certificate-file)`);
    if (!cert.checkPrivateKey(key)) {
      throw configError(
        `${label}: the certificate (--oauth-certificate-file) does not belong to the private key (--oauth-private-key-file): give the key the certificate was made from`,
      );
    }
    signer = { key, x5tS256: certificateThumbprints(cert).x5tS256 };
  }

  const flowName = appOnly ? 'app-only' : 'delegated';
  const mailboxChecks = `SMTP AUTH is enabled for the mailbox ${user} (Exchange Online PowerShell: Set-CASMailbox -Identity ${user} -SmtpClientAuthenticationDisabled $false)`;
  const hint = appOnly
    ? `check that ${mailboxChecks}; that the app has the Office 365 Exchange Online application permission SMTP.SendAsApp with admin consent; that its service principal is registered in Exchange Online (New-ServicePrincipal -AppId ${clientId} -ObjectId <the enterprise application's object ID>) and has rights on the mailbox (Add-MailboxPermission -Identity ${user} -User <that service principal> -AccessRights FullAccess); and that the user is that mailbox's address`
    : `check that ${mailboxChecks}; that the app has the delegated permission SMTP.Send (consented); and that the refresh token was issued to ${user} (sign in as that mailbox) with the scope ${MICROSOFT_DELEGATED_SCOPE}`;

  return {
    provider: 'microsoft',
    user,
    providerName: 'Microsoft Entra ID',
    tokenUrl,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    heldSecrets: held,
    hint,
    form(currentRefresh) {
      const form = new URLSearchParams({ client_id: clientId, scope });
      if (currentRefresh !== undefined) {
        form.set('grant_type', 'refresh_token');
        form.set('refresh_token', currentRefresh);
      } else {
        form.set('grant_type', 'client_credentials');
      }
      if (clientSecret !== undefined) form.set('client_secret', clientSecret);
      if (signer !== undefined) {
        const iat = Math.floor(now() / 1000);
        form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        form.set(
          'client_assertion',
          signJwt(
            { alg: 'PS256', typ: 'JWT', 'x5t#S256': signer.x5tS256 },
            {
              aud: tokenUrl.href,
              iss: clientId,
              sub: clientId,
              jti: randomUUID(),
              nbf: iat,
              iat,
              exp: iat + ASSERTION_LIFETIME_S,
            },
            signer.key,
          ),
        );
      }
      return form;
    },
    explain: (error, description) => explainMicrosoft(error, description, flowName),
  };
}

/**
 * What to check for the Entra ID errors people meet with SMTP apps (the AADSTS code is in the
 * description; https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
const AADSTS_HINTS: Readonly<Record<string, string>> = {
  '7000215':
    "the client secret is wrong: give the secret's Value (shown once, when it was created), not its Secret ID",
  '7000222': 'the client secret has expired: create a new one under Certificates & secrets',
  '700016':
    'no application with this client ID exists in the tenant: check the client ID and the tenant, and that the app was consented to in this tenant',
  '90002': 'the tenant was not found: check the directory (tenant) ID or domain',
  '900023': 'the tenant is not a valid tenant ID or domain: check it',
  '700027':
    'the certificate is not registered for the app, or the assertion signature did not verify: upload this certificate under Certificates & secrets',
  '700024': "the client assertion is outside its validity time: check this machine's clock",
  '70011':
    'the scope is invalid: app-only needs https://outlook.office365.com/.default, delegated https://outlook.office.com/SMTP.Send offline_access',
  '65001':
    'consent is missing: grant admin consent for the SMTP permission in the app registration',
  '70008': 'the refresh token has expired: sign in again to get a new one',
  '700082': 'the refresh token expired after inactivity: sign in again to get a new one',
  '50173': 'the refresh token was revoked (a password change or a sign-out): sign in again',
  '50076': 'the user must use multi-factor authentication: sign in again interactively',
  '50079': 'the user must register for multi-factor authentication: sign in again interactively',
  '53003': 'Conditional Access blocked the request: ask the tenant admin to allow this app',
  '7000218':
    'the app is a confidential client: give its client secret or certificate with the refresh token',
  '700025':
    'the app is a public client: remove the client secret (or certificate) and use the refresh token alone',
  '50034': 'the user does not exist in this tenant: check the user and the tenant',
  '7000112': 'the application is disabled in the tenant: enable its enterprise application',
};

function explainMicrosoft(error: string, description: string, flow: string): string {
  const code = /AADSTS(\d+)/.exec(description)?.[1];
  const known = code === undefined ? undefined : AADSTS_HINTS[code];
  if (known !== undefined) return known;
  switch (error) {
    case 'invalid_client':
      return 'check the client ID, the client secret or certificate, and the tenant';
    case 'invalid_grant':
      return flow === 'delegated'
        ? 'the refresh token is expired, revoked or was issued to another app: sign in again to get a new one'
        : 'the credential was refused: check the client secret or certificate';
    case 'unauthorized_client':
      return 'the app is not allowed this grant: check the app registration (and that it exists in this tenant)';
    case 'invalid_scope':
      return AADSTS_HINTS['70011']!;
    case 'invalid_request':
      return 'check the tenant, the client ID and the token URL';
    case 'temporarily_unavailable':
      return 'Entra ID is busy: retry later';
    default:
      return 'check the app registration (client ID, credential, permissions and consent) and the tenant';
  }
}
