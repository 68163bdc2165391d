// One parsed message as an agent run's input — {from, to, cc, subject, text, html, message_id,
// date, attachments} — and its attachments as the run's input files (`input/<name>`, one field
// each, `attachment_1`…), named safely and uniquely whatever the sender called them.
import type { AddressObject, ParsedMail } from 'mailparser'
import type { IncomingFile } from '../runs/run-files.ts'
import type { JsonObject } from '../storage/storage.ts'

export interface MailFile extends IncomingFile {
  content_type: string
}

export interface MailRunInput {
  input: JsonObject
  files: MailFile[]
}

function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(header) ? header : header ? [header] : []
  return list.flatMap((h) => h.value.flatMap((a) => (a.address ? [a.address] : [])))
}

/** The last path segment, without control characters, at most 200 characters ('' when nothing is left). */
function cleanName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? ''
  const name = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f')
    .join('')
    .trim()
  if (name === '.' || name === '..') return ''
  return name.length > 200 ? name.slice(name.length - 200) : name
}

function unique(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name
  const dot = name.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
  for (let n = 2; ; n++) {
    const next = `${stem}-${n}${ext}`
    if (!taken.has(next)) return next
  }
}

export function mailRunInput(mail: ParsedMail, envelopeFrom: string | null): MailRunInput {
  const taken = new Set<string>()
  const files: MailFile[] = mail.attachments.map((a, i) => {
    const name = unique(cleanName(a.filename) || `attachment-${i + 1}`, taken)
    taken.add(name)
    return {
      field: `attachment_${i + 1}`,
      name,
      data: a.content,
      content_type: a.contentType || 'application/octet-stream',
    }
  })
  const input: JsonObject = {
    from: addresses(mail.from)[0] ?? envelopeFrom,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : null,
    message_id: mail.messageId ?? null,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    attachments: files.map((f) => ({
      filename: f.name,
      content_type: f.content_type,
      size: f.data.length,
      path: `input/${f.name}`,
    })),
  }
  return { input, files }
}
