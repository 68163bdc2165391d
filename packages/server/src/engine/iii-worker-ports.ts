// Extra worker ports as an iii config's `iii-worker-manager` entries: workers join one circle
// without an API key (as on the iii engine), optionally behind RBAC and a middleware function.
import type { ChannelHub } from './channel-hub.ts'
import type { Engine } from './engine.ts'
import type { NamedQueues } from './named-queues.ts'
import type { EngineCaller } from './worker-connection.ts'
import { WorkerPort, type WorkerPortLog } from './worker-port.ts'
import { type RbacConfig, WorkerGate } from './worker-rbac.ts'

export interface IiiPortOptions {
  circleId: string
  circleSlug: string
  host: string
  port: number
  rbac: RbacConfig | null
  middlewareFunctionId: string | null
}

export interface OpenedPort {
  port: number
  close(): Promise<void>
}

export async function openIiiWorkerPort(
  engine: Engine,
  queues: NamedQueues,
  log: WorkerPortLog,
  channels: ChannelHub,
  o: IiiPortOptions,
): Promise<OpenedPort> {
  const caller: EngineCaller = {
    circleId: o.circleId,
    circleSlug: o.circleSlug,
    keyId: `iii-port:${o.port}`,
    canRead: true,
    canWrite: true,
    canExecute: true,
  }
  const gate =
    o.rbac || o.middlewareFunctionId
      ? new WorkerGate(engine, { rbac: o.rbac, middlewareFunctionId: o.middlewareFunctionId })
      : null
  const port = new WorkerPort(engine, queues, async () => caller, log, gate)
  port.channels = channels
  const bound = await port.listen(o.port, o.host)
  log.info(
    { port: bound, circle: o.circleSlug, rbac: !!o.rbac, middleware: o.middlewareFunctionId },
    'engine iii worker port listening',
  )
  return { port: bound, close: () => port.close() }
}
