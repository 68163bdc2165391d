// A python element's spec.layers entries: `path[@version]` naming a python-layer element of the
// element's own circle. Resolved when the spec is written (a bad entry is a 400, never ignored)
// and again when a worker starts (an unpinned entry follows the layer's current version).
import { hasScope } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import type { JsonObject } from '../../storage/storage.ts'
import type { ElementsPort, WriteTarget } from '../element.ts'
import { type PythonLayerSpec, pythonLayerSpecOf } from '../python-layer/layer-spec.ts'
import { PY } from './spec.ts'

export const LAYER_TYPE = 'python-layer'

export interface LayerReference {
  /** The entry as written. */
  text: string
  /** Slugs from the circle down to the layer. */
  segments: string[]
  /** The pinned element version, or null for the current one. */
  version: number | null
}

/** The layer one entry names, at the version it names (its current one when unpinned). */
export interface ResolvedLayer {
  ref: LayerReference
  id: string
  version: number
  /** The layer's current version (the pinned one may be older). */
  current: number
  spec: PythonLayerSpec
}

/** Splits an entry the schema accepted (LAYER_REFERENCE_PATTERN). */
export function parseLayerReference(text: string): LayerReference {
  const at = text.lastIndexOf('@')
  const path = at < 0 ? text : text.slice(0, at)
  return { text, segments: path.split('/'), version: at < 0 ? null : Number(text.slice(at + 1)) }
}

const notFound = (ref: LayerReference, index: number, message: string, extra: JsonObject = {}) =>
  new PlatformError(PY.PYTHON_LAYER_NOT_FOUND, `spec.layers[${index}] "${ref.text}": ${message}`, {
    field: `spec.layers[${index}]`,
    layer: ref.text,
    ...extra,
  })

const invalid = (ref: LayerReference, index: number, message: string, extra: JsonObject = {}) =>
  new PlatformError(PY.PYTHON_LAYER_INVALID, `spec.layers[${index}] "${ref.text}": ${message}`, {
    field: `spec.layers[${index}]`,
    layer: ref.text,
    ...extra,
  })

/**
 * Finds the python-layer `ref` names in the circle `circleSlug` (paths never leave the circle),
 * at its pinned or current version; `index` is the entry's place in spec.layers, for errors.
 */
export async function resolveLayer(
  elements: ElementsPort,
  circleSlug: string,
  ref: LayerReference,
  index: number,
  selfId?: string,
): Promise<ResolvedLayer> {
  const row = await elements.resolve(null, circleSlug, ref.segments).catch((err: unknown) => {
    if (
      err instanceof PlatformError &&
      (err.code === E.ELEMENT_NOT_FOUND.code || err.code === E.CIRCLE_NOT_FOUND.code)
    )
      throw notFound(ref, index, `no element at this path in circle "${circleSlug}"`)
    throw err
  })
  if (row.id === selfId) throw invalid(ref, index, 'an element cannot be its own layer')
  if (row.element_type !== LAYER_TYPE)
    throw invalid(
      ref,
      index,
      `a ${row.element_type} element is not a layer (layers are ${LAYER_TYPE} elements)`,
      {
        element_type: row.element_type,
      },
    )
  if (ref.version === null)
    return { ref, id: row.id, version: row.version, current: row.version, spec: pythonLayerSpecOf(row) }
  // Above the current version nothing exists (and the number stays away from the database).
  const pinned =
    ref.version <= row.version ? await elements.records.getVersion(row.id, ref.version) : undefined
  if (!pinned)
    throw notFound(ref, index, `the layer has no version ${ref.version} (its latest is ${row.version})`, {
      version: ref.version,
      latest_version: row.version,
    })
  const spec = pythonLayerSpecOf({ ...row, spec: pinned.spec })
  return { ref, id: row.id, version: ref.version, current: row.version, spec }
}

/**
 * The write-time check of spec.layers: every entry names a python-layer of the circle (at a
 * version it has), none twice, never the element itself. Naming a layer the current version does
 * not use needs `read`: the handler can read the layer's files.
 */
export async function verifyLayerReferences(
  elements: ElementsPort,
  spec: JsonObject,
  target: WriteTarget,
): Promise<void> {
  const entries = Array.isArray(spec['layers']) ? (spec['layers'] as string[]) : []
  if (entries.length === 0) return
  const before = new Set(
    Array.isArray(target.current?.['layers']) ? (target.current['layers'] as string[]) : [],
  )
  const added = entries.filter((e) => !before.has(e))
  if (added.length > 0 && !hasScope(target.actor, 'read'))
    throw new PlatformError(E.FORBIDDEN, 'naming a layer in spec.layers needs the "read" scope', {
      required_scope: 'read',
      layers: added,
    })
  const circle = await elements.circleSlug(target.circleId)
  const seen = new Map<string, number>()
  for (const [i, text] of entries.entries()) {
    const ref = parseLayerReference(text)
    const layer = await resolveLayer(elements, circle, ref, i, target.elementId)
    const earlier = seen.get(layer.id)
    if (earlier !== undefined)
      throw invalid(ref, i, `the same layer as spec.layers[${earlier}]; list a layer once`)
    seen.set(layer.id, i)
  }
}
