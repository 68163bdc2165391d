// build and build_status: dependency layers built ahead of the first invoke.
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { pythonOperation } from './python-operation.ts'
import { PY } from './spec.ts'

export const buildOperations = [
  pythonOperation({
    name: 'build',
    method: 'POST',
    auth: 'execute',
    summary: 'Build the dependency layer (force=true rebuilds); returns a build_id',
    description:
      'Builds of the same requirement set happen once; an already-built layer is a cache hit. ?wait_for_completion=N waits up to N s.',
    input: Type.Object(
      {
        force: Type.Boolean({ default: false }),
        wait_for_completion: Type.Number({ minimum: 0, maximum: 600, default: 0 }),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const rt = ctx.runtime
      const requirements = rt.layers.requirementsOf(ctx.spec)
      const build = rt.layers.startBuild(requirements, ctx.input.force, ctx.element.id)
      rt.events.build(ctx.element, build)
      const { record, done } = build
      if (ctx.input.wait_for_completion > 0) {
        await Promise.race([
          done.catch(() => {}),
          new Promise((r) => setTimeout(r, ctx.input.wait_for_completion * 1000)),
        ])
      } else {
        done.catch(() => {})
      }
      ctx.reply.status(record.status === 'building' ? 202 : 200)
      return { ...record, output: undefined }
    },
  }),
  pythonOperation({
    name: 'build_status',
    path: 'build/:build_id',
    method: 'GET',
    auth: 'read',
    summary: 'Progress and pip output of a build',
    allowWhenDisabled: true,
    async handler(ctx) {
      const rt = ctx.runtime
      const record = rt.layers.getBuild(ctx.params['build_id']!, ctx.element.id)
      if (!record)
        throw new PlatformError(PY.BUILD_NOT_FOUND, `no build ${ctx.params['build_id']!.slice(0, 64)}`)
      return record
    },
  }),
]
