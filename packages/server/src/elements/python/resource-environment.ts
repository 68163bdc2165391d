// RESOURCE_{TYPE}_{SLUG} variables for the data elements attached to a python element.
// Platform secrets are never among them: only attached elements' own public values.

import type { ElementRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'

const envPart = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_')

export async function resourceEnvironment(
  svc: ElementsPort,
  element: ElementRow,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {}
  for (const a of await svc.records.listAttachments({ targetId: element.id })) {
    const source = await svc.records.getElement(a.source_id)
    if (!source?.enabled) continue
    const type = svc.registry.get(source.element_type)
    if (type?.category !== 'data') continue
    const name = `RESOURCE_${envPart(source.element_type)}_${envPart(source.slug)}`
    const value =
      source.element_type === 'variable'
        ? source.spec['value']
        : (source.spec['url'] ?? source.spec['connection'])
    if (value === undefined || value === null) env[name] = ''
    else env[name] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  return env
}
