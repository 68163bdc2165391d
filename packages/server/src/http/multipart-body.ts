// A small multipart/form-data reader (RFC 7578) for run starts and input-file uploads. The body
// is buffered (bounded by the route's body limit) and split at the boundary: fields become
// strings, parts with a filename become files. No dependency: neither @fastify/multipart nor
// busboy is installed, and run uploads are bounded in size anyway.
import { PlatformError } from '../errors.ts'
import { RUN } from '../runs/run-errors.ts'

export interface MultipartFile {
  field: string
  filename: string
  contentType: string
  data: Buffer
}

export interface MultipartBody {
  fields: Record<string, string>
  files: MultipartFile[]
}

const invalid = (why: string) => new PlatformError(RUN.INVALID_MULTIPART, `invalid multipart body: ${why}`)

function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType)
  const b = m?.[1] ?? m?.[2]
  if (!b) throw invalid('the content-type has no boundary')
  return b
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header)
  if (m) return m[1]!.replace(/\\(.)/g, '$1')
  return new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header)?.[1]
}

export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`)
  const out: MultipartBody = { fields: {}, files: [] }
  let at = body.indexOf(delimiter)
  if (at < 0) throw invalid('no part starts with the boundary')
  for (;;) {
    at += delimiter.length
    if (body.subarray(at, at + 2).toString() === '--') return out
    if (body.subarray(at, at + 2).toString() !== '\r\n') throw invalid('a boundary is not followed by CRLF')
    const headersEnd = body.indexOf('\r\n\r\n', at + 2)
    if (headersEnd < 0) throw invalid('a part has no end of headers')
    const headers: Record<string, string> = {}
    for (const line of body
      .subarray(at + 2, headersEnd)
      .toString('utf8')
      .split('\r\n')) {
      const i = line.indexOf(':')
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4)
    if (next < 0) throw invalid('the body ends inside a part')
    const data = body.subarray(headersEnd + 4, next)
    const disposition = headers['content-disposition'] ?? ''
    const name = param(disposition, 'name')
    if (!/^form-data/i.test(disposition) || !name) throw invalid('a part has no form-data name')
    const filename = param(disposition, 'filename')
    if (filename !== undefined)
      out.files.push({
        field: name,
        // Browsers may send a full client path; only its last segment is a name.
        filename: filename.split(/[\\/]/).pop() ?? '',
        contentType: headers['content-type'] ?? 'application/octet-stream',
        data: Buffer.from(data),
      })
    else out.fields[name] = data.toString('utf8')
    at = next + 2
  }
}
