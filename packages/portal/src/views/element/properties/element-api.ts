// The element's API path and the few calls the properties panel makes.
import { api } from '../../../lib/api.ts'
import type { ElementJson } from '../../../lib/types.ts'

export function elementBase(circle: string, path: string): string {
  return `/api/${encodeURIComponent(circle)}/${path.split('/').map(encodeURIComponent).join('/')}`
}

export function fetchElement(base: string): Promise<ElementJson> {
  return api<ElementJson>('GET', base)
}

/** The element as the properties panel reads it (the API also sends intention and warnings). */
export type PanelElement = ElementJson & {
  intention?: string
  warnings?: Array<{ field: string; message: string }>
}
