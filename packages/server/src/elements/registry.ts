// The element-type registry: one line per type. A type's own operations take precedence over
// the generic ones of the same name and method.

import type { TypeTables } from '../storage/type-tables.ts'
import { agentType } from './agent/definition.ts'
import { browserType } from './browser/definition.ts'
import { circleType } from './circle/definition.ts'
import { cookieJarType } from './cookie-jar/definition.ts'
import type { ElementType, HttpMethod, OperationDef, PlatformContext, TypeRuntime } from './element.ts'
import { operationPath } from './element.ts'
import { genericOperations } from './generic/index.ts'
import { projectType } from './project/definition.ts'
import { pythonType } from './python/definition.ts'
import { pythonLayerType } from './python-layer/definition.ts'
import { rateLimitType } from './rate-limit/definition.ts'
import { variableType } from './variable/definition.ts'
import { websocketType } from './websocket/definition.ts'
import { workflowType } from './workflow/definition.ts'

export const builtinElementTypes: ElementType[] = [
  circleType,
  projectType,
  variableType,
  pythonType,
  pythonLayerType,
  rateLimitType,
  websocketType,
  browserType,
  cookieJarType,
  workflowType,
  agentType,
]

export interface OperationMatch {
  op: OperationDef
  params: Record<string, string>
}

/** A type's operations (its own, then the generic ones it does not override) and their split paths. */
interface TypeRoutes {
  /** The type's own list they were worked out from (a new list means working them out again). */
  own: OperationDef[]
  ops: OperationDef[]
  paths: string[][]
}

export class Registry {
  private readonly types = new Map<string, ElementType>()
  private readonly runtimes = new Map<string, TypeRuntime>()
  private readonly routes = new WeakMap<ElementType, TypeRoutes>()

  constructor(types: ElementType[] = builtinElementTypes) {
    for (const t of types) {
      if (this.types.has(t.type)) throw new Error(`element type ${t.type} registered twice`)
      this.types.set(t.type, t)
    }
  }

  /** Builds every type's runtime (worker pools and the like); main.ts calls this once. */
  startRuntimes(platform: PlatformContext): void {
    for (const t of this.types.values()) {
      const runtime = t.runtime?.(platform)
      if (runtime) this.runtimes.set(t.type, runtime)
    }
  }

  /** The tables the types declare, to migrate after the core's. */
  typeTables(): TypeTables<unknown>[] {
    return this.list().flatMap((t) => (t.tables ? [t.tables] : []))
  }

  runtimeOf(type: string): TypeRuntime | undefined {
    return this.runtimes.get(type)
  }

  /** The runtime an operation of `type` gets: there whenever the type declares one. */
  operationRuntime(type: ElementType): TypeRuntime | undefined {
    const runtime = this.runtimes.get(type.type)
    if (type.runtime && !runtime) throw new Error(`element type ${type.type}: its runtime was not started`)
    return runtime
  }

  async closeRuntimes(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((r) => r.close()))
    this.runtimes.clear()
  }

  get(type: string): ElementType | undefined {
    return this.types.get(type)
  }

  list(): ElementType[] {
    return [...this.types.values()]
  }

  /** The type's operations followed by the generic ones it does not override. */
  operationsOf(type: ElementType): OperationDef[] {
    return this.routesOf(type).ops
  }

  /**
   * The operations and their split paths, worked out once per type's operation list (every
   * request matched against ~60 operations, building their list and paths anew each time).
   */
  private routesOf(type: ElementType): TypeRoutes {
    const own = type.operations ?? []
    const known = this.routes.get(type)
    if (known?.own === own) return known
    const key = (op: OperationDef) => `${op.method} ${operationPath(op)}`
    const taken = new Set(own.map(key))
    const ops = [...own, ...genericOperations.filter((op) => !taken.has(key(op)))]
    const routes = { own, ops, paths: ops.map((op) => operationPath(op).split('/')) }
    this.routes.set(type, routes)
    return routes
  }

  isGeneric(op: OperationDef): boolean {
    return genericOperations.includes(op)
  }

  /** Finds the operation for `segments` (the URL after `/ops/`); `methodMismatch` when only the method differs. */
  match(
    type: ElementType,
    method: HttpMethod,
    segments: string[],
  ): OperationMatch | { methodMismatch: string[] } | undefined {
    const allowed: string[] = []
    const { ops, paths } = this.routesOf(type)
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!
      const params = matchPath(paths[i]!, segments)
      if (!params) continue
      if (op.method === method) return { op, params }
      allowed.push(op.method)
    }
    return allowed.length ? { methodMismatch: allowed } : undefined
  }
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    const s = segments[i]!
    if (p.startsWith(':')) params[p.slice(1)] = s
    else if (p !== s) return undefined
  }
  return params
}
