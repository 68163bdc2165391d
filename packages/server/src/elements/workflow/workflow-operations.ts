// The workflow element's own operations: invoke (start a run, optionally wait for it), steps
// (a run's task executions) and validate (check a definition without storing it).
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { presentRun } from '../../runs/run-json.ts'
import { isTerminal } from '../../runs/run-service.ts'
import type { Json } from '../../storage/storage.ts'
import { traceHeaders } from '../../trace-context.ts'
import { parseDefinition } from '../../workflows/definition.ts'
import { operationsFor } from '../element.ts'
import { elementAtRef, sourceRef } from '../source/element-at-ref.ts'
import { validateInput } from '../validation.ts'
import type { WorkflowSpec } from './spec.ts'
import { WORKFLOW_RUN } from './workflow-errors.ts'
import type { WorkflowRuntime } from './workflow-runtime.ts'

export const workflowOperation = operationsFor<WorkflowSpec, WorkflowRuntime>()

const invokeQuery = Type.Object(
  {
    wait_for_completion: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 0,
      description: 'Seconds to hold the request for the result.',
    }),
    ref: Type.Optional(sourceRef()),
  },
  { additionalProperties: true },
)

export const workflowOperations = [
  workflowOperation({
    name: 'invoke',
    method: 'POST',
    auth: 'execute',
    summary: 'Run the workflow on a JSON input (201 + run; ?wait_for_completion=N holds up to N s)',
    description:
      'The body is the workflow input. Answers the run: 200 when it ended within the wait, else 202 with Location (the run goes on). ?ref= names the branch, tag or commit whose definition to run.',
    input: Type.Unknown(),
    async handler(ctx) {
      const q = { ...ctx.query }
      validateInput(invokeQuery, q, { query: true })
      const waitS = Number(q['wait_for_completion'] ?? 0)
      const { element, source } = await elementAtRef(
        ctx.elements,
        ctx.element,
        q['ref'] as string | undefined,
      )
      const run = await ctx.runtime.startRun(
        element,
        'invoke',
        (ctx.input ?? {}) as Json,
        'api',
        { key_id: ctx.actor.keyId, request_id: ctx.requestId, ...traceHeaders(ctx.headers) },
        { source },
      )
      const final = waitS > 0 ? await ctx.runs.wait(run, waitS * 1000) : run
      if (isTerminal(final.status)) return presentRun(final)
      const location = `/api/v1/runs/${run.id}`
      ctx.reply.status(waitS > 0 ? 202 : 201)
      ctx.reply.header('location', location)
      return { ...presentRun(final), location }
    },
  }),
  workflowOperation({
    name: 'steps',
    method: 'GET',
    path: 'runs/:run_id/steps',
    auth: 'read',
    summary: 'The task executions of one run: name, status, input, output, error, attempts, duration',
    async handler(ctx) {
      const run = await ctx.runs.get(ctx.params['run_id'] ?? '')
      if (!run || run.element_id !== ctx.element.id)
        throw new PlatformError(WORKFLOW_RUN.WORKFLOW_RUN_NOT_FOUND, 'no run of this workflow has that id')
      return { run_id: run.id, status: run.status, steps: await ctx.runtime.runSteps(run) }
    },
  }),
  workflowOperation({
    name: 'validate',
    method: 'POST',
    auth: 'read',
    summary: 'Check a definition against the DSL without storing it',
    input: Type.Object(
      { definition: Type.String({ maxLength: 512 * 1024 }) },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const doc = parseDefinition(ctx.input.definition)
      return { valid: true, document: doc.document }
    },
  }),
]
