// Shapes of the API's JSON the portal reads (see docs/api.md). The SDK's generated types cover
// the runs API; elements are typed here by the fields the views use.
export interface ElementJson {
  id: string
  circle: string
  slug: string
  name: string
  path: string
  element_type: string
  category?: string
  symbol?: string
  version: number
  spec: Record<string, unknown>
  meta: Record<string, unknown>
  state: string
  state_reason?: string | null
  enabled: boolean
  created_at: string
  updated_at: string
}

/** What every element surface (runner, panels, properties) is given. */
export interface SurfaceProps {
  circle: string
  path: string
  element: ElementJson
}
