// An agent's Source files at /api/v1/agents/:agentId/files: list them (under a `prefix`) or read
// one (`path`) at a `ref` (default draft; `main` names draft, as the Git default branch of the
// reference API). PUT (one file) and POST (several) are deprecated — Source is Git: clone and
// push — but still work: they write a draft commit the way a push is applied, so an edited
// AGENT.md or .periodic/spec.yaml updates the agent (validated; refused → 400, nothing written).
import type { Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import { SOURCE } from '../../elements/source/source-errors.ts'
import { checkedPath } from '../../elements/source/source-operations.ts'
import { writeSourceFiles } from '../../elements/source/write-source-files.ts'
import { validateInput } from '../../elements/validation.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { filesAt, presentAgent } from './agents-present.ts'
import { type AgentsApiDeps, copy, visibleAgent } from './agents-routes.ts'
import { AGENTS_API, filesQuery, putFileBody, uploadFilesBody } from './agents-schemas.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })
const WRITABLE_REFS = new Set(['draft', 'main', 'refs/heads/draft'])

/** `main` (the reference API's default branch) is draft here. */
const refOf = (ref: string | undefined) => (ref === undefined || ref === 'main' ? 'draft' : ref)

export function registerAgentFilesRoutes(app: FastifyInstance, deps: AgentsApiDeps): void {
  const actorOf = (req: FastifyRequest) => requireActor(deps.auth, req.headers.authorization)
  const { elements } = deps

  async function commitAt(row: ElementRow, ref: string): Promise<string> {
    await elements.source.ensure(row)
    const commit = await elements.source.store.resolve(row.id, ref)
    if (!commit)
      throw new PlatformError(SOURCE.SOURCE_REF_NOT_FOUND, `no branch, tag or commit "${ref}"`, { ref })
    return commit
  }

  app.get<{ Params: { agentId: string } }>('/api/v1/agents/:agentId/files', async (req) => {
    const actor = await actorOf(req)
    const q = copy<Static<typeof filesQuery>>(req.query)
    validateInput(filesQuery, q, { query: true })
    const row = await visibleAgent(deps, actor, req.params.agentId)
    requireScope(actor, 'read', 'list agent files')
    const ref = refOf(q.ref)
    const commit = await commitAt(row, ref)
    if (q.path !== undefined) {
      const path = checkedPath(q.path)
      const bytes = await elements.source.store.read(row.id, commit, path)
      if (!bytes)
        throw new PlatformError(AGENTS_API.AGENT_FILE_NOT_FOUND, `no file ${path.slice(0, 200)} at ${ref}`, {
          path: path.slice(0, 200),
          ref,
        })
      let content: string
      let encoding: 'utf8' | 'base64' = 'utf8'
      try {
        content = decoder.decode(bytes)
      } catch {
        content = Buffer.from(bytes).toString('base64')
        encoding = 'base64'
      }
      return { agent_id: row.id, path, ref, commit, size: bytes.length, encoding, content }
    }
    const files = (await filesAt(elements, row, commit)).filter(
      (f) => !q.prefix || f.path.startsWith(q.prefix),
    )
    return { agent_id: row.id, ref, commit, files }
  })

  async function write(
    req: FastifyRequest<{ Params: { agentId: string } }>,
    edits: Record<string, string>,
    o: { message?: string; expected_version?: number; ref?: string },
  ) {
    const actor = await actorOf(req)
    const row = await visibleAgent(deps, actor, req.params.agentId)
    requireScope(actor, 'write', 'write agent files')
    if (o.ref !== undefined && !WRITABLE_REFS.has(o.ref))
      throw new PlatformError(
        AGENTS_API.AGENT_REF_READ_ONLY,
        `files are written to draft (or main), not ${o.ref}`,
        {
          ref: o.ref,
        },
      )
    const written = await writeSourceFiles(elements, row, actor, edits, {
      message: o.message ?? `Updated ${Object.keys(edits).sort().join(', ')}`.slice(0, 500),
      ...(o.expected_version === undefined ? {} : { expected_version: o.expected_version }),
    })
    return {
      agent: await presentAgent(elements, written.row, { full: true }),
      commit: written.commit,
      paths: written.paths,
    }
  }

  app.put<{ Params: { agentId: string } }>('/api/v1/agents/:agentId/files', async (req) => {
    const q = copy<Static<typeof filesQuery>>(req.query)
    validateInput(filesQuery, q, { query: true })
    const body = (req.body ?? {}) as Static<typeof putFileBody>
    validateInput(putFileBody, body)
    if (q.path === undefined)
      throw new PlatformError(SOURCE.SOURCE_PATH_INVALID, 'name the file: ?path=AGENT.md', { path: '' })
    return write(req, { [q.path]: body.content }, { ...body, ref: q.ref })
  })

  app.post<{ Params: { agentId: string } }>('/api/v1/agents/:agentId/files', async (req) => {
    const body = (req.body ?? {}) as Static<typeof uploadFilesBody>
    validateInput(uploadFilesBody, body)
    return write(req, body.files, body)
  })
}
