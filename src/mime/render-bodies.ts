/**
 * The human-readable side of an invitation: the Subject, the text/plain body and the text/html
 * body. Clients that understand iMIP show their own card from the calendar part; everybody else
 * (webmail without calendar support, mailing-list archives, phones' notification previews) reads
 * these, so they say what, when (in the event's zone, named), where and who, in plain English.
 */
import type { Attendee, Invite, Person } from '../model/invite.ts';
import { describeRecurrence } from './describe-recurrence.ts';
import { formatLongDate, formatWhen, formatWhenShort, toEventZone } from './format-when.ts';

/**
 * `Invitation: Quarterly planning @ Tue 1 Dec 2026 10:00–11:00 (Europe/Berlin)`; `Updated:` for a
 * REQUEST with SEQUENCE > 0, `Cancelled:` for CANCEL, `Event:` for PUBLISH.
 */
export function renderSubject(invite: Invite): string {
  return `${subjectPrefix(invite)}${singleLine(invite.summary)} @ ${formatWhenShort(invite)}`;
}

function subjectPrefix(invite: Invite): string {
  switch (invite.method) {
    case 'REQUEST':
      return invite.sequence > 0 ? 'Updated: ' : 'Invitation: ';
    case 'CANCEL':
      return 'Cancelled: ';
    case 'DECLINECOUNTER':
      return 'Proposal declined: ';
    case 'PUBLISH':
      return 'Event: ';
  }
}

/** The text/plain body, LF line breaks, ending with one. */
export function renderTextBody(invite: Invite): string {
  let text = '';
  const notice = statusNotice(invite);
  if (notice !== undefined) text += notice + '\n\n';
  text += singleLine(invite.summary) + '\n\n';
  for (const row of detailRows(invite)) text += `${row.label}: ${row.text}\n`;
  if (invite.attendees.length > 0) {
    text += '\nAttendees:\n';
    for (const attendee of invite.attendees) {
      text += `- ${personText(attendee)}${attendeeNote(attendee)}\n`;
    }
  }
  const description = invite.description?.replace(/\r\n?/g, '\n');
  if (description !== undefined && description !== '') {
    text += '\n' + description + (description.endsWith('\n') ? '' : '\n');
  }
  return text;
}

/**
 * The text/html body. The user's own `html` description is embedded as given (it is theirs, and
 * already went into X-ALT-DESC); every other value is escaped.
 */
export function renderHtmlBody(invite: Invite): string {
  const summary = escapeHtml(singleLine(invite.summary));
  let html =
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n' +
    `<title>${summary}</title>\n` +
    // A style sheet rather than per-cell attributes: every `=` costs three octets in
    // quoted-printable, and Gmail, Outlook and Apple Mail all honour a <style> in the head.
    '<style>th{text-align:left;vertical-align:top;padding:2px 12px 2px 0}td{padding:2px 0}</style>\n' +
    '</head>\n<body>\n';
  const notice = statusNotice(invite);
  if (notice !== undefined) html += `<p><strong>${escapeHtml(notice)}</strong></p>\n`;
  html += `<h2>${summary}</h2>\n<table>\n`;
  for (const row of detailRows(invite)) html += tableRow(row.label, row.html);
  if (invite.attendees.length > 0) {
    const list = invite.attendees
      .map((a) => personHtml(a) + escapeHtml(attendeeNote(a)))
      .join('<br>\n');
    html += tableRow('Attendees', list);
  }
  html += '</table>\n';
  if (invite.html !== undefined && invite.html !== '') {
    html += `<div>\n${invite.html}\n</div>\n`;
  } else if (invite.description !== undefined && invite.description !== '') {
    const paragraphs = escapeHtml(invite.description.replace(/\r\n?/g, '\n')).replaceAll(
      '\n',
      '<br>\n',
    );
    html += `<p>${paragraphs}</p>\n`;
  }
  return html + '</body>\n</html>\n';
}

function tableRow(label: string, valueHtml: string): string {
  return `<tr><th>${label}</th><td>${valueHtml}</td></tr>\n`;
}

function statusNotice(invite: Invite): string | undefined {
  if (invite.method === 'CANCEL' && invite.recurrenceId !== undefined)
    return 'This occurrence has been cancelled; the other occurrences are unchanged.';
  if (invite.method === 'CANCEL') return 'This event has been cancelled.';
  if (invite.method === 'DECLINECOUNTER')
    return 'The organizer declined your proposed change; the event stays as below.';
  if (invite.method === 'REQUEST' && invite.sequence > 0) return 'This event has been updated.';
  return undefined;
}

interface DetailRow {
  readonly label: string;
  readonly text: string;
  readonly html: string;
}

function detailRows(invite: Invite): DetailRow[] {
  const rows: DetailRow[] = [];
  const add = (label: string, text: string, html = escapeHtml(text)) =>
    rows.push({ label, text, html });
  if (invite.comment !== undefined && invite.comment !== '') add('Comment', invite.comment);
  add('When', formatWhen(invite));
  if (invite.recurrence !== undefined) {
    add('Repeats', describeRecurrence(invite.recurrence.rrule, invite));
    if (invite.recurrence.exdates.length > 0) {
      const dates = invite.recurrence.exdates.map((d) => formatLongDate(toEventZone(d, invite)));
      add('Except', dates.join(', '));
    }
  }
  if (invite.location !== undefined && invite.location !== '') {
    add('Where', singleLine(invite.location));
  }
  if (invite.url !== undefined && invite.url !== '') {
    const url = singleLine(invite.url);
    // Only web links become links: a `javascript:` or `data:` URL must not be one click away.
    const html = /^https?:\/\//i.test(url)
      ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`
      : escapeHtml(url);
    add('Join', url, html);
  }
  const organizer = invite.organizer;
  const sentBy = organizer.sentBy === undefined ? '' : ` (sent by ${organizer.sentBy})`;
  add('Organizer', personText(organizer) + sentBy, personHtml(organizer) + escapeHtml(sentBy));
  if (invite.status === 'TENTATIVE') add('Status', 'Tentative');
  return rows;
}

/** `Bob Builder <bob@example.com>`, or the address alone. */
function personText(person: Person): string {
  const name = person.name === undefined ? '' : singleLine(person.name);
  return name === '' ? person.email : `${name} <${person.email}>`;
}

function personHtml(person: Person): string {
  const email = escapeHtml(person.email);
  const link = `<a href="mailto:${email}">${email}</a>`;
  const name = person.name === undefined ? '' : singleLine(person.name);
  return name === '' ? link : `${escapeHtml(name)} &lt;${link}&gt;`;
}

/** ` (optional)`, ` (room)`, ` (optional, room)`; '' for a required person. */
function attendeeNote(attendee: Attendee): string {
  const notes: string[] = [];
  switch (attendee.role) {
    case 'REQ-PARTICIPANT':
      break;
    case 'OPT-PARTICIPANT':
      notes.push('optional');
      break;
    case 'CHAIR':
      notes.push('chair');
      break;
    case 'NON-PARTICIPANT':
      notes.push('for information only');
      break;
  }
  switch (attendee.cutype) {
    case 'INDIVIDUAL':
      break;
    case 'ROOM':
      notes.push('room');
      break;
    case 'RESOURCE':
      notes.push('resource');
      break;
    case 'GROUP':
      notes.push('group');
      break;
  }
  return notes.length === 0 ? '' : ` (${notes.join(', ')})`;
}

/** The model keeps these fields single-line; a stray line break would still only cost a space. */
function singleLine(value: string): string {
  return value.includes('\r') || value.includes('\n') ? value.replace(/\r\n|[\r\n]/g, ' ') : value;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '`, enough for text and for double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return /[&<>"']/.test(value) ? value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : value;
}
