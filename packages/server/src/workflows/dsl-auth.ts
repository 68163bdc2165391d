// Authentication policies of http/openapi calls, resolved for the interpreter: a reference
// (`{ use: name }`) is looked up in use.authentications; the result is basic or bearer, given
// inline (its fields may be runtime expressions, evaluated by the caller) or held by a secret
// (`{ basic: { use: mySecret } }`: the secret holds username/password, or token).
import type { JsonObject } from '../storage/storage.ts'
import { isObject } from './dsl-tasks.ts'

export type AuthenticationPolicy =
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic' | 'bearer'; secret: string }

/**
 * The policy `policy` stands for in `doc` (a validated definition), or undefined when there is
 * none. Throws on a reference to nothing: definition checks refuse those on write.
 */
export function authenticationOf(doc: JsonObject, policy: unknown): AuthenticationPolicy | undefined {
  if (!isObject(policy)) return undefined
  let p: JsonObject = policy
  if (typeof p.use === 'string') {
    const use = isObject(doc.use) ? doc.use : {}
    const all = isObject(use.authentications) ? use.authentications : {}
    const named = Object.hasOwn(all, p.use) ? all[p.use] : undefined
    if (!isObject(named)) throw new Error(`no authentication named ${p.use}`)
    p = named
  }
  for (const scheme of ['basic', 'bearer'] as const) {
    const v = p[scheme]
    if (!isObject(v)) continue
    if (typeof v.use === 'string') return { scheme, secret: v.use }
    if (scheme === 'basic')
      return { scheme, username: String(v.username ?? ''), password: String(v.password ?? '') }
    return { scheme, token: String(v.token ?? '') }
  }
  return undefined
}

/** Where a call task keeps its authentication policy, if anywhere. */
export function callAuthentication(task: JsonObject): unknown {
  const args = isObject(task.with) ? task.with : undefined
  if (!args) return undefined
  if (task.call === 'http' && isObject(args.endpoint)) return args.endpoint.authentication
  if (task.call === 'openapi') return args.authentication
  return undefined
}
