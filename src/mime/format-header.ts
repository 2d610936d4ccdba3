/**
 * Header fields of the invitation (RFC 5322 §3.6 with RFC 2047 encoded-words), written so that no
 * value, however hostile, can add a header line or change the structure: CR and LF in a value
 * become spaces, anything that is not plain printable ASCII is carried in encoded-words, and lines
 * are folded only before a single space between two tokens (RFC 5322 §2.2.3), never inside a run
 * of whitespace.
 */
import { SmtpInviteError } from '../errors.ts';
import { CRLF, MAX_ENCODED_WORD, encodeWords } from './mime-codecs.ts';

/** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters. */
const FOLD_WIDTH = 78;

export interface HeaderAddress {
  readonly name?: string;
  readonly email: string;
}

// RFC 5322 §3.4.1 addr-spec limited to what the model accepts (dot-atom local part, LDH domain),
// re-checked here because an address goes into a header unquoted.
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
// RFC 5322 §3.6.4 msg-id with dot-atom on both sides (no domain literals).
const MESSAGE_ID =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254. */
const MAX_EMAIL_LENGTH = 254;

// A display name of atoms separated by single spaces needs no quoting (RFC 5322 §3.2.5 phrase).
// `=` and `?` are atext but left out: `=?…?=` would be decoded as an encoded-word by most readers.
const PLAIN_PHRASE = /^[A-Za-z0-9!#$%&'*+/^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/^_`{|}~-]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const LINE_BREAKS = /[\r\n]/g;

/**
 * CR and LF cannot be carried in a header at all (RFC 5322 §2.2): each becomes a space. This is
 * the only change a header value goes through (lone surrogates aside, which no UTF-8 encoding can
 * carry and become U+FFFD).
 */
export function flattenHeaderText(value: string): string {
  return value.includes('\r') || value.includes('\n') ? value.replace(LINE_BREAKS, ' ') : value;
}

/**
 * `Name: token token …`, joined by single spaces and folded (CRLF before the space) before a token
 * that would take the line past 78 characters. Tokens longer than a line (an address) stay whole.
 */
export function foldTokens(name: string, tokens: readonly string[]): string {
  let result = name + ':';
  let lineLength = result.length;
  for (const token of tokens) {
    if (lineLength + 1 + token.length > FOLD_WIDTH && lineLength > name.length + 1) {
      result += CRLF + ' ' + token;
      lineLength = 1 + token.length;
    } else {
      result += ' ' + token;
      lineLength += 1 + token.length;
    }
  }
  return result + CRLF;
}

/** Room left for the first encoded-word after `Name: `. */
function firstWordRoom(name: string): number {
  return FOLD_WIDTH - name.length - 2;
}

/**
 * An unstructured field (RFC 5322 §3.2.5), e.g. Subject. Plain ASCII goes out as it is, folded at
 * its own spaces; anything else (non-ASCII, controls, leading or trailing spaces that readers would
 * trim, text that looks like an encoded-word, words too long to fold) as encoded-words.
 */
export function formatTextHeader(name: string, value: string): string {
  const text = flattenHeaderText(value);
  if (text === '') return name + ':' + CRLF;
  if (
    PRINTABLE_ASCII.test(text) &&
    !text.startsWith(' ') &&
    !text.endsWith(' ') &&
    !text.includes('=?')
  ) {
    const tokens = splitAtSpaces(text);
    if (tokens.every((token) => token.length < FOLD_WIDTH - 1)) return foldTokens(name, tokens);
  }
  return foldTokens(name, encodeWords(text, 'text', firstWordRoom(name)));
}

/**
 * Splits at the spaces we may fold before: single spaces between words. A run of spaces stays
 * inside its token, because readers collapse whitespace around a fold (mailparser unfolds
 * `a\r\n  b` to `a b`), and a line must not end in, or consist of, whitespace.
 */
function splitAtSpaces(text: string): string[] {
  return text.split(/(?<! ) (?! )/);
}

/** Throws ERR_INTERNAL for an address the model should never have let through. */
export function checkEmail(email: string): string {
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `Refusing to write the email address ${JSON.stringify(email.slice(0, 300))} into a header: ` +
        'it is not a plain ASCII local@domain address.',
    );
  }
  return email;
}

/** The tokens of a display name: one atom run or quoted-string, or encoded-words. */
function encodeDisplayName(name: string, firstRoom: number): string[] {
  if (name === '') return [];
  if (name.length <= MAX_ENCODED_WORD && !name.includes('=?')) {
    if (PLAIN_PHRASE.test(name)) return [name];
    // A quoted-string keeps specials literal (RFC 5322 §3.2.4); readers trim leading and trailing
    // spaces inside it, so such names go as encoded-words, which keep them.
    if (PRINTABLE_ASCII.test(name) && !name.startsWith(' ') && !name.endsWith(' ')) {
      const quoted = '"' + name.replace(/["\\]/g, '\\$&') + '"';
      if (quoted.length <= MAX_ENCODED_WORD) return [quoted];
    }
  }
  return encodeWords(name, 'phrase', firstRoom);
}

/** `Name <email>` tokens of one mailbox (RFC 5322 §3.4), `email` alone when there is no name. */
function mailboxTokens(address: HeaderAddress, firstRoom: number): string[] {
  const email = checkEmail(address.email);
  const name = address.name === undefined ? '' : flattenHeaderText(address.name);
  if (name === '') return [email];
  const tokens = encodeDisplayName(name, firstRoom);
  tokens.push('<' + email + '>');
  return tokens;
}

/** An address-list field (From, Sender, Reply-To, To), folded between words and addresses. */
export function formatAddressHeader(name: string, addresses: readonly HeaderAddress[]): string {
  const tokens: string[] = [];
  for (let i = 0; i < addresses.length; i++) {
    const mailbox = mailboxTokens(addresses[i]!, i === 0 ? firstWordRoom(name) : MAX_ENCODED_WORD);
    if (i < addresses.length - 1) mailbox[mailbox.length - 1] += ',';
    // Fold between mailboxes where they fit on a line, inside one only when it does not.
    const whole = mailbox.join(' ');
    const room = i === 0 ? FOLD_WIDTH - name.length - 2 : FOLD_WIDTH - 1;
    if (whole.length <= room) tokens.push(whole);
    else for (const token of mailbox) tokens.push(token);
  }
  return foldTokens(name, tokens);
}

/** `Message-ID: <id>` (RFC 5322 §3.6.4); throws ERR_INTERNAL for an id that is not `left@right`. */
export function formatMessageIdHeader(messageId: string): string {
  if (messageId.length > 250 || !MESSAGE_ID.test(messageId)) {
    throw new SmtpInviteError(
      'ERR_INTERNAL',
      `Refusing to write the Message-ID ${JSON.stringify(messageId.slice(0, 300))}: ` +
        'it must be dot-atom@dot-atom, without angle brackets.',
    );
  }
  return 'Message-ID: <' + messageId + '>' + CRLF;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

function pad2(n: number): string {
  return n < 10 ? '0' + String(n) : String(n);
}

/**
 * `Date: Tue, 01 Dec 2026 09:00:00 +0000` (RFC 5322 §3.3), always in UTC so the bytes do not depend
 * on the host zone; English names from our own tables, never the host locale.
 */
export function formatDateHeader(date: Date): string {
  const time = date.getTime();
  if (!Number.isFinite(time)) {
    throw new SmtpInviteError('ERR_INTERNAL', 'The Date header was given an invalid Date.');
  }
  const year = date.getUTCFullYear();
  if (year < 1900 || year > 9999) {
    throw new SmtpInviteError('ERR_INTERNAL', `The Date header cannot carry the year ${year}.`);
  }
  return (
    'Date: ' +
    WEEKDAYS[date.getUTCDay()]! +
    ', ' +
    pad2(date.getUTCDate()) +
    ' ' +
    MONTHS[date.getUTCMonth()]! +
    ' ' +
    String(year) +
    ' ' +
    pad2(date.getUTCHours()) +
    ':' +
    pad2(date.getUTCMinutes()) +
    ':' +
    pad2(date.getUTCSeconds()) +
    ' +0000' +
    CRLF
  );
}
