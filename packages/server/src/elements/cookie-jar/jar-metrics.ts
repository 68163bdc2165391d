// The cookie jar's metrics (served at /metrics): one counter per operation kind and the size.
import { Counter, Gauge, type Registry } from 'prom-client'

export const JAR_COUNTERS = [
  'import',
  'export',
  'set',
  'delete',
  'clear',
  'prune',
  'attach',
  'detach',
] as const
export type JarCounter = (typeof JAR_COUNTERS)[number]

export class JarMetrics {
  private readonly counters = new Map<JarCounter, Counter>()
  private readonly size: Gauge

  constructor(registry: Registry) {
    for (const name of JAR_COUNTERS) {
      this.counters.set(
        name,
        new Counter({
          name: `cookie_jar_${name}_count`,
          help: `Cookie jar ${name} operations by element`,
          labelNames: ['element'],
          registers: [registry],
        }),
      )
    }
    this.size = new Gauge({
      name: 'cookie_jar_size',
      help: 'Cookies held by a jar after its last write',
      labelNames: ['element'],
      registers: [registry],
    })
  }

  count(name: JarCounter, elementId: string): void {
    this.counters.get(name)?.inc({ element: elementId })
  }

  setSize(elementId: string, cookies: number): void {
    this.size.set({ element: elementId }, cookies)
  }

  forget(elementId: string): void {
    this.size.remove({ element: elementId })
  }
}
