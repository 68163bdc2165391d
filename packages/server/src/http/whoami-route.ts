// GET /api/v1/whoami: who the presented key is — its id and name, its circle and its scopes —
// so a client (the portal, a script) can show only what the key may do. Any valid key may ask.
import type { FastifyInstance } from 'fastify'
import type { Authenticator } from '../auth/api-keys.ts'
import { requireActor } from '../auth/require-actor.ts'
import type { ElementService } from '../elements/element-service.ts'
import { errorResponse, jsonResponse, type Obj } from './api-schemas/openapi-parts.ts'

export interface WhoamiDeps {
  auth: Authenticator
  elements: ElementService
}

export function registerWhoamiRoute(app: FastifyInstance, deps: WhoamiDeps): void {
  app.get('/api/v1/whoami', async (req) => {
    const actor = await requireActor(deps.auth, req.headers.authorization)
    if (actor.platformAdmin)
      return {
        key_id: actor.keyId,
        name: 'platform admin',
        circle: null,
        scopes: ['admin'],
        platform_admin: true,
      }
    const circleId = actor.circleId!
    const key = (await deps.elements.apiKeys.listApiKeys(circleId)).find((k) => k.id === actor.keyId)
    return {
      key_id: actor.keyId,
      name: key?.name ?? null,
      circle: await deps.elements.circleSlug(circleId),
      scopes: [...actor.scopes],
      platform_admin: false,
    }
  })
}

export function whoamiOpenApiPaths(): Record<string, Record<string, Obj>> {
  return {
    '/api/v1/whoami': {
      get: {
        operationId: 'whoami',
        tags: ['keys'],
        summary: 'The presented API key: id, name, circle and scopes',
        description:
          'Auth: any valid key. The platform admin key answers `platform_admin: true` and no circle.',
        responses: {
          '200': jsonResponse('The key', {
            type: 'object',
            required: ['key_id', 'name', 'circle', 'scopes', 'platform_admin'],
            properties: {
              key_id: { type: 'string' },
              name: { type: ['string', 'null'] },
              circle: {
                type: ['string', 'null'],
                description: 'The circle’s slug; null for the platform admin.',
              },
              scopes: {
                type: 'array',
                items: { type: 'string', enum: ['read', 'write', 'execute', 'admin'] },
              },
              platform_admin: { type: 'boolean' },
            },
          }),
          default: errorResponse,
        },
      },
    },
  }
}
