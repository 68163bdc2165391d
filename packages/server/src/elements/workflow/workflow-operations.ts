// The workflow element's own operations: invoke (start a run, optionally wait for it), steps
// (a run's task executions) and validate (check a definition without storing it).
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { parseDefinition } from '../../workflows/definition.ts'
import { operationsFor } from '../element.ts'
import { invokeRunOperation } from '../invoke-run-operation.ts'
import type { WorkflowSpec } from './spec.ts'
import { WORKFLOW_RUN } from './workflow-errors.ts'
import type { WorkflowRuntime } from './workflow-runtime.ts'

export const workflowOperation = operationsFor<WorkflowSpec, WorkflowRuntime>()

export const workflowOperations = [
  invokeRunOperation<WorkflowSpec>(
    'Run the workflow on a JSON input (201 + run; ?wait_for_completion=N holds up to N s)',
    'The body is the workflow input. Answers the run: 200 when it ended within the wait, else 202 with Location (the run goes on). ?ref= names the branch, tag or commit whose definition to run.',
  ),
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
