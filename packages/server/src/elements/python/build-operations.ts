// build and build_status: dependency layers built ahead of the first invoke (the element's own
// and those of its python-layers).
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
      'Builds of the same requirement set happen once; an already-built layer is a cache hit. ?wait_for_completion=N waits up to N s. With spec.layers, `layers` lists the builds of their requirements (each readable with build_status).',
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
      const circle = await ctx.elements.circleSlug(ctx.element.circle_id)
      const layerBuilds = await rt.layerMounts.startBuilds(ctx.element, circle, ctx.input.force)
      for (const b of layerBuilds) rt.events.build(ctx.element, b.build)
      const { record, done } = build
      const all = Promise.allSettled([done, ...layerBuilds.map((b) => b.build.done)])
      if (ctx.input.wait_for_completion > 0)
        await Promise.race([all, new Promise((r) => setTimeout(r, ctx.input.wait_for_completion * 1000))])
      const records = [record, ...layerBuilds.map((b) => b.build.record)]
      ctx.reply.status(records.some((r) => r.status === 'building') ? 202 : 200)
      const layers = layerBuilds.map((b) => ({ layer: b.layer, ...b.build.record, output: undefined }))
      return { ...record, output: undefined, ...(layers.length ? { layers } : {}) }
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
