// project: a manifest-form element that groups members; paths may go through it.
import { Type } from '@sinclair/typebox'
import { defineElement } from '../element.ts'

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
    },
    { additionalProperties: false },
  ),
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  capabilities: ['activity-scope-members'],
})
