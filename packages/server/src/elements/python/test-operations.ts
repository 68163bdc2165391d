// test and test_status: pytest over the function's own tests, as a run of operation `test`.
import { Type } from '@sinclair/typebox'
import { presentRun } from '../../runs/run-json.ts'
import { elementAtRef, sourceRef } from '../source/element-at-ref.ts'
import { pythonOperation } from './python-operation.ts'
import { runOfElement } from './run-of-element.ts'

export const testOperations = [
  pythonOperation({
    name: 'test',
    method: 'POST',
    auth: 'execute',
    summary: 'Run the function’s pytest suite (spec.source.tests, or test_*.py beside a file/git source)',
    description:
      'Returns test_run_id; ?wait_for_completion (body field) waits up to N s. test_filter is passed to pytest -k.',
    input: Type.Object(
      {
        test_filter: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
        wait_for_completion: Type.Number({ minimum: 0, maximum: 600, default: 0 }),
        ref: Type.Optional(
          sourceRef(
            'The branch, tag or commit whose code and tests run (default: draft, the code being written).',
          ),
        ),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const rt = ctx.runtime
      const { element, source } = await elementAtRef(ctx.elements, ctx.element, ctx.input.ref ?? 'draft')
      const run = await rt.startTest(element, ctx.input.test_filter, source)
      const final =
        ctx.input.wait_for_completion > 0
          ? await ctx.runs.wait(run, ctx.input.wait_for_completion * 1000)
          : run
      if (final.status === 'queued' || final.status === 'running') ctx.reply.status(202)
      return { test_run_id: run.id, ...presentRun(final) }
    },
  }),
  pythonOperation({
    name: 'test_status',
    path: 'test/:test_run_id',
    method: 'GET',
    auth: 'read',
    summary: 'Pass/fail counts and pytest output of a test run',
    allowWhenDisabled: true,
    async handler(ctx) {
      const id = ctx.params['test_run_id']!
      const run = await runOfElement(ctx, id, 'test')
      const logs = await ctx.runs.logs(run.id)
      return { test_run_id: run.id, ...presentRun(run), output_text: logs.map((l) => l.data).join('') }
    },
  }),
]
