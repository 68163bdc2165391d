// The JWT secret of a websocket element is sealed at rest: before a spec is stored, a plaintext
// `auth.jwt_secret` becomes `{"sealed": "<blob>"}` under the element's own data key (as a jar's
// cookies are), so neither the element row nor its versions hold it. The binding leaves the
// version out on purpose: restoring an old version brings its secret back, and that must open.
import { PlatformError, validationError } from '../../errors.ts'
import { SECRET } from '../../secrets/secret-errors.ts'
import { openJson, sealJson } from '../../secrets/secrets-of.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import type { WebsocketSpec } from './spec.ts'

export const JWT_SECRET_PURPOSE = 'websocket.jwt_secret'
/** Where the plaintext limits come from (the schema checks them when a value is not sealed). */
const MIN = 16
const MAX = 1024

export interface SealedSecret {
  sealed: string
}

const binding = (elementId: string) => ({ elementId, version: 0, purpose: JWT_SECRET_PURPOSE })

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v)

/**
 * The type's sealSpec hook, on a (possibly partial) spec about to be validated and stored: a
 * plaintext secret of valid length is sealed; a sealed one must open for this element (a blob
 * from another element is refused). Anything else is left for the schema to refuse.
 */
export async function sealJwtSecret(
  spec: JsonObject,
  elementId: string,
  elements: ElementsPort,
): Promise<JsonObject> {
  const auth = spec['auth']
  if (!isObject(auth)) return spec
  const secret = auth['jwt_secret']
  const ctx = { elements }
  if (typeof secret === 'string' && secret.length >= MIN && secret.length <= MAX) {
    const sealed = await sealJson(ctx, binding(elementId), secret)
    return { ...spec, auth: { ...auth, jwt_secret: { sealed } } }
  }
  if (isObject(secret) && typeof secret['sealed'] === 'string') {
    try {
      await openJson(ctx, binding(elementId), secret['sealed'])
    } catch (err) {
      if (err instanceof PlatformError && err.code === SECRET.SECRET_INTEGRITY_FAILED.code)
        throw validationError(
          'spec.auth.jwt_secret',
          'a sealed secret only opens for the element that sealed it; send the secret itself',
        )
      throw err
    }
  }
  return spec
}

/** The spec with its JWT secret opened, for the upgrade check only (never stored or shown). */
export async function withOpenedJwtSecret(
  elements: ElementsPort,
  element: ElementRow,
  spec: WebsocketSpec,
): Promise<WebsocketSpec> {
  const secret = spec.auth.jwt_secret
  if (spec.auth.mode !== 'jwt' || !isObject(secret)) return spec
  const opened = await openJson({ elements }, binding(element.id), (secret as SealedSecret).sealed)
  if (typeof opened !== 'string' || opened.length < MIN)
    throw new PlatformError(SECRET.SECRET_INTEGRITY_FAILED, 'the sealed JWT secret is not a secret')
  return { ...spec, auth: { ...spec.auth, jwt_secret: opened } }
}
