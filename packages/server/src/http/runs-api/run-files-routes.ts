// Files kept with a run: its artifacts (what the handler wrote under PERIODIC_OUTPUT_DIR) as a
// list, one by one and as a zip; its input files as a list, and uploads and deletions while
// the run is still queued. Paths are checked in runs/run-files.ts (no `..`, no symlinks).
import { createReadStream } from 'node:fs'
import { extname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { RUN } from '../../runs/run-errors.ts'
import {
  addInputFiles,
  checkRelativePath,
  deleteInputFile,
  listFiles,
  readArtifactSummary,
  readInputFields,
  resolveInside,
  runInputDir,
  runOutputDir,
  SANDBOX_INPUT_DIR,
} from '../../runs/run-files.ts'
import type { RunRow } from '../../storage/storage.ts'
import { zipStream } from '../zip-stream.ts'
import { filesOf, incomingFiles, registerMultipartParser } from './run-files-body.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.zip': 'application/zip',
}

export const contentTypeOf = (path: string) =>
  CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'

type IdParams = { Params: { id: string } }

function dataDirOf(deps: RunsApiDeps): string {
  const dir = deps.elements.config?.dataDir
  if (!dir) throw new PlatformError(E.INTERNAL, 'run files need a data directory')
  return dir
}

function requireQueued(run: RunRow, live: RunRow | undefined): void {
  const status = live?.status ?? run.status
  if (status !== 'queued')
    throw new PlatformError(
      RUN.RUN_ALREADY_STARTED,
      `run ${run.id} is ${status}: its input files are fixed`,
      {
        status,
      },
    )
}

/** The routes and the multipart parser (which `POST /api/v1/runs` uses too). */
export function registerRunFilesRoutes(app: FastifyInstance, deps: RunsApiDeps): void {
  registerMultipartParser(app)
  const runOf = async (
    req: { headers: Record<string, unknown>; params: { id: string } },
    scope: 'read' | 'execute',
    what: string,
  ) => {
    const actor = await authenticated(deps, req as never)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, scope, what)
    return run
  }

  app.get<IdParams>('/api/v1/runs/:id/artifacts', async (req) => {
    const run = await runOf(req, 'read', 'list artifacts')
    const dataDir = dataDirOf(deps)
    const [artifacts, summary] = await Promise.all([
      listFiles(runOutputDir(dataDir, run.id)),
      readArtifactSummary(dataDir, run.id),
    ])
    return {
      artifacts,
      total_bytes: artifacts.reduce((n, a) => n + a.size, 0),
      truncated: summary?.truncated ?? false,
      dropped_files: summary?.dropped_files ?? 0,
      dropped_bytes: summary?.dropped_bytes ?? 0,
      refused_files: summary?.refused_files ?? 0,
      refused: summary?.refused ?? [],
    }
  })

  app.get<{ Params: { id: string; '*': string } }>('/api/v1/runs/:id/artifacts/*', async (req, reply) => {
    const run = await runOf(req, 'read', 'download artifact')
    const rel = req.params['*']
    checkRelativePath(rel)
    const path = await resolveInside(runOutputDir(dataDirOf(deps), run.id), rel)
    const name = rel.split('/').pop()!
    reply.header('content-type', contentTypeOf(rel))
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
    reply.header('x-content-type-options', 'nosniff')
    return reply.send(createReadStream(path))
  })

  app.get<IdParams>('/api/v1/runs/:id/files-zip', async (req, reply) => {
    const run = await runOf(req, 'read', 'download artifacts')
    const root = runOutputDir(dataDirOf(deps), run.id)
    const files = await listFiles(root)
    reply.header('content-type', 'application/zip')
    reply.header('content-disposition', `attachment; filename="run-${run.id}.zip"`)
    const entries = files.map((f) => ({
      name: f.path,
      path: join(root, f.path),
      modified: new Date(f.modified_at),
    }))
    return reply.send(zipStream(entries))
  })

  const inputList = async (dataDir: string, id: string) => {
    const [files, fields] = await Promise.all([
      listFiles(runInputDir(dataDir, id)),
      readInputFields(dataDir, id),
    ])
    const fieldOf = new Map(Object.entries(fields).map(([field, name]) => [name, field]))
    return files.map((f) => ({
      name: f.path,
      field: fieldOf.get(f.path) ?? null,
      sandbox_path: `${SANDBOX_INPUT_DIR}/${f.path}`,
      size: f.size,
      modified_at: f.modified_at,
    }))
  }

  app.get<IdParams>('/api/v1/runs/:id/files', async (req) => {
    const run = await runOf(req, 'read', 'list input files')
    return { files: await inputList(dataDirOf(deps), run.id) }
  })

  app.post<IdParams>('/api/v1/runs/:id/files', async (req, reply) => {
    const run = await runOf(req, 'execute', 'upload input files')
    requireQueued(run, await deps.runs.get(run.id))
    const files = filesOf(req.body)
    if (!files?.length)
      throw new PlatformError(RUN.INVALID_MULTIPART, 'send the files as multipart/form-data file parts')
    const dataDir = dataDirOf(deps)
    await addInputFiles(dataDir, run.id, incomingFiles(files))
    return reply.code(201).send({ files: await inputList(dataDir, run.id) })
  })

  app.delete<{ Params: { id: string; name: string } }>('/api/v1/runs/:id/files/:name', async (req, reply) => {
    const run = await runOf(req, 'execute', 'delete input file')
    requireQueued(run, await deps.runs.get(run.id))
    await deleteInputFile(dataDirOf(deps), run.id, req.params.name)
    return reply.code(204).send()
  })
}
