// multipart/form-data bodies for the runs API: the parser (registered once on the app) turns
// `target`, `operation` and `input` (JSON text) into the usual body and keeps the file parts
// aside, under a symbol the body schemas do not see. Run starts stage those files so they are
// in place before the run can start.
import type { FastifyInstance } from 'fastify'
import sjson from 'secure-json-parse'
import { E, PlatformError } from '../../errors.ts'
import { RUN } from '../../runs/run-errors.ts'
import { INPUT_FILES_CAP_BYTES, type IncomingFile, stageInputFiles } from '../../runs/run-files.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { type MultipartFile, parseMultipart } from '../multipart-body.ts'

const FILES = Symbol('multipart files')
type WithFiles = Record<string, unknown> & { [FILES]?: MultipartFile[] }

export function registerMultipartParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    /^multipart\/form-data(;|$)/i,
    // The files may be larger than a JSON body: the upload cap plus room for the headers.
    { parseAs: 'buffer', bodyLimit: INPUT_FILES_CAP_BYTES + 1024 * 1024 },
    (req, body, done) => {
      try {
        const parsed = parseMultipart(body as Buffer, String(req.headers['content-type']))
        const out: WithFiles = {}
        for (const [k, v] of Object.entries(parsed.fields)) {
          if (k !== 'input') out[k] = v
          else {
            try {
              out[k] = sjson.parse(v, undefined, { protoAction: 'error', constructorAction: 'error' })
            } catch (err) {
              throw new PlatformError(
                RUN.INVALID_MULTIPART,
                `the "input" field is not valid JSON: ${String(err).slice(0, 200)}`,
              )
            }
          }
        }
        Object.defineProperty(out, FILES, { value: parsed.files, enumerable: false })
        done(null, out)
      } catch (err) {
        done(err as Error, undefined)
      }
    },
  )
}

/** The file parts of a multipart body (undefined for a JSON body). */
export function filesOf(body: unknown): MultipartFile[] | undefined {
  return typeof body === 'object' && body !== null ? (body as WithFiles)[FILES] : undefined
}

/** Field names and file names checked; a name given twice is refused. */
export function incomingFiles(files: MultipartFile[]): IncomingFile[] {
  const names = new Set<string>()
  return files.map((f) => {
    if (names.has(f.filename))
      throw new PlatformError(
        RUN.INVALID_MULTIPART,
        `the file name "${f.filename.slice(0, 200)}" is given twice`,
      )
    names.add(f.filename)
    return { field: f.field, name: f.filename, data: f.data }
  })
}

/**
 * For a multipart run start: stages the files and returns the trigger-info entry the runtime
 * adopts them by (empty for a JSON body).
 */
export async function stageRequestFiles(dataDir: string | undefined, body: unknown): Promise<JsonObject> {
  const files = filesOf(body)
  if (!files?.length) return {}
  if (!dataDir) throw new PlatformError(E.INTERNAL, 'input files need a data directory')
  const total = files.reduce((n, f) => n + f.data.length, 0)
  if (total > INPUT_FILES_CAP_BYTES)
    throw new PlatformError(RUN.RUN_FILES_TOO_LARGE, `the input files total ${total} bytes`, {
      limit_bytes: INPUT_FILES_CAP_BYTES,
    })
  const token = await stageInputFiles(dataDir, incomingFiles(files))
  // What each part was: a workflow run turns these into references in its input (elements/run-input-files.ts).
  const described = files.map((f) => ({
    field: f.field,
    name: f.filename,
    size: f.data.length,
    content_type: f.contentType || 'application/octet-stream',
  }))
  return { input_upload: token, input_files: described }
}
