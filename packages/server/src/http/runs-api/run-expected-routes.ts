// A run's expected output as named JSON documents: list, upload (PUT, size-limited), download,
// copy the run's output as `output`, rename and delete. Names are slug-like so they can never
// reach outside the run (no `/`, no `..`).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { validateInput } from '../../elements/validation.ts'
import { E, PlatformError } from '../../errors.ts'
import { ANNOTATION } from '../../runs/run-annotation-errors.ts'
import type { Json, RunAnnotationRecords, RunExpectedInfo, RunRow } from '../../storage/storage.ts'
import { recordRunActivity } from './run-activity.ts'
import {
  copyOutputBody,
  EXPECTED_MAX_BYTES,
  EXPECTED_MAX_PER_RUN,
  EXPECTED_NAME,
  renameExpectedBody,
} from './run-annotations-schemas.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

type Named = { Params: { id: string; name: string } }
const BASE = '/api/v1/runs/:id/expected'

function checkName(name: string): string {
  if (!EXPECTED_NAME.test(name) || name.includes('..'))
    throw new PlatformError(
      ANNOTATION.INVALID_EXPECTED_NAME,
      `invalid expected name "${name.slice(0, 100)}"`,
      {
        name: name.slice(0, 100),
      },
    )
  return name
}

const present = ({ run_id: _r, ...info }: RunExpectedInfo) => info

/** Saves `content` under `name`; `created` tells a new document from a replaced one. */
async function save(storage: RunAnnotationRecords, run: RunRow, name: string, content: Json) {
  const size = Buffer.byteLength(JSON.stringify(content))
  if (size > EXPECTED_MAX_BYTES)
    throw new PlatformError(
      ANNOTATION.EXPECTED_TOO_LARGE,
      `"${name}" is ${size} bytes; the limit is ${EXPECTED_MAX_BYTES}`,
      { size_bytes: size, limit_bytes: EXPECTED_MAX_BYTES },
    )
  const existing = await storage.listRunExpected(run.id)
  const created = !existing.some((e) => e.name === name)
  if (created && existing.length >= EXPECTED_MAX_PER_RUN)
    throw new PlatformError(
      ANNOTATION.EXPECTED_LIMIT_REACHED,
      `run ${run.id} already holds ${existing.length} expected documents`,
      { limit: EXPECTED_MAX_PER_RUN },
    )
  const now = new Date().toISOString()
  await storage.putRunExpected({
    run_id: run.id,
    name,
    content,
    size_bytes: size,
    created_at: now,
    updated_at: now,
  })
  const saved = (await storage.listRunExpected(run.id)).find((e) => e.name === name)
  return { created, info: present(saved!) }
}

export function registerRunExpectedRoutes(app: FastifyInstance, deps: RunsApiDeps): void {
  const storage = deps.runStore

  app.get<{ Params: { id: string } }>(BASE, async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'list expected output')
    return { run_id: run.id, expected: (await storage.listRunExpected(run.id)).map(present) }
  })

  app.put<Named>(`${BASE}/:name`, async (req, reply) => {
    const actor = await authenticated(deps, req)
    const name = checkName(req.params.name)
    if (req.body === undefined)
      throw new PlatformError(E.VALIDATION_FAILED, 'the body is the expected JSON document; it is empty', {
        field: 'body',
      })
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'write', 'upload expected output')
    const { created, info } = await save(storage, run, name, req.body as Json)
    await recordRunActivity(deps, run, actor.keyId, 'run.expected.saved', { name, created })
    return reply.code(created ? 201 : 200).send(info)
  })

  app.get<Named>(`${BASE}/:name`, async (req, reply) => {
    const actor = await authenticated(deps, req)
    const name = checkName(req.params.name)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'download expected output')
    const doc = await storage.getRunExpected(run.id, name)
    if (!doc)
      throw new PlatformError(ANNOTATION.EXPECTED_NOT_FOUND, `run ${run.id} has no expected "${name}"`, {
        name,
      })
    reply.header('content-disposition', `attachment; filename="${name}"`)
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(doc.content))
  })

  app.post<{ Params: { id: string } }>(`${BASE}/copy_output`, async (req, reply) => {
    const actor = await authenticated(deps, req)
    const body = { ...((req.body ?? {}) as { name?: string }) }
    validateInput(copyOutputBody, body)
    const name = checkName(body.name ?? 'output')
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'write', 'copy run output to expected')
    if (run.status !== 'succeeded')
      throw new PlatformError(
        ANNOTATION.RUN_OUTPUT_UNAVAILABLE,
        `run ${run.id} is ${run.status}; only a succeeded run's output can be copied`,
        { status: run.status },
      )
    const { created, info } = await save(storage, run, name, run.output)
    await recordRunActivity(deps, run, actor.keyId, 'run.expected.saved', { name, created, from: 'output' })
    return reply.code(created ? 201 : 200).send(info)
  })

  // POST …/{name}/rename, and PATCH …/{name} as the reference client spells it.
  const rename = async (req: FastifyRequest<Named>) => {
    const actor = await authenticated(deps, req)
    const from = checkName(req.params.name)
    const body = (req.body ?? {}) as { to: string }
    validateInput(renameExpectedBody, body)
    const to = checkName(body.to)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'write', 'rename expected output')
    const result = await storage.renameRunExpected(run.id, from, to, new Date().toISOString())
    if (result === 'missing')
      throw new PlatformError(ANNOTATION.EXPECTED_NOT_FOUND, `run ${run.id} has no expected "${from}"`, {
        name: from,
      })
    if (result === 'taken')
      throw new PlatformError(
        ANNOTATION.EXPECTED_NAME_TAKEN,
        `run ${run.id} already has an expected "${to}"`,
        {
          name: to,
        },
      )
    await recordRunActivity(deps, run, actor.keyId, 'run.expected.renamed', { from, to })
    return present((await storage.listRunExpected(run.id)).find((e) => e.name === to)!)
  }
  app.post<Named>(`${BASE}/:name/rename`, rename)
  app.patch<Named>(`${BASE}/:name`, rename)

  app.delete<Named>(`${BASE}/:name`, async (req, reply) => {
    const actor = await authenticated(deps, req)
    const name = checkName(req.params.name)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'write', 'delete expected output')
    if (!(await storage.deleteRunExpected(run.id, name)))
      throw new PlatformError(ANNOTATION.EXPECTED_NOT_FOUND, `run ${run.id} has no expected "${name}"`, {
        name,
      })
    await recordRunActivity(deps, run, actor.keyId, 'run.expected.deleted', { name })
    return reply.code(204).send()
  })
}
