// project: a manifest-form element that groups members; paths may go through it.
import { Type } from '@sinclair/typebox'
import { requireScope } from '../../auth/require-actor.ts'
import { defineElement } from '../element.ts'
import { Environments, syncEnvironmentRefs } from '../source/project-environments.ts'

export const projectType = defineElement({
  type: 'project',
  name: 'Project',
  description: 'Groups elements of a circle; `/api/{circle}/{project}/{slug}` addresses its members.',
  symbol: 'Pr',
  category: 'organization',
  form: 'manifest',
  container: true,
  spec: Type.Object(
    {
      description: Type.String({ default: '', maxLength: 10_000 }),
      tags: Type.Array(Type.String({ maxLength: 64 }), { default: [], maxItems: 50 }),
      environments: Environments,
    },
    { additionalProperties: false },
  ),
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  capabilities: ['activity-scope-members'],
  // Live is admin's, whether by promote or by writing the spec.
  guardWrite(previous, next, actor) {
    if (JSON.stringify(previous.environments?.live) !== JSON.stringify(next.environments?.live))
      requireScope(actor, 'admin', 'changing spec.environments.live')
  },
  // Whatever wrote the spec (promote, update, restore, a push), the members' refs follow it.
  async afterWrite(row, elements) {
    await syncEnvironmentRefs(elements, row)
  },
})
