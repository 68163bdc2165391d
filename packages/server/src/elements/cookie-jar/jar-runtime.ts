// The cookie jar's long-lived part: its metrics, the secrets box opened at start (so a bad
// master key fails the start, not the first request), and orphan marking when a browser goes.

import { SYSTEM_ACTOR } from '../../auth/actor.ts'
import type { PlatformContext, TypeRuntime } from '../element.ts'
import { JarMetrics } from './jar-metrics.ts'
import { stateOf } from './jar-state.ts'
import { jarTables } from './jar-tables.ts'

export class JarRuntime implements TypeRuntime {
  readonly metrics: JarMetrics
  private readonly unsubscribe: () => void

  constructor(private readonly platform: PlatformContext) {
    this.metrics = new JarMetrics(platform.metrics)
    void platform.elements.secrets
    this.unsubscribe = platform.bus.subscribe('element.deleted', (event) => {
      if (event.data['element_type'] !== 'browser' || !event.element_id) return
      this.markOrphaned(event.element_id).catch((err) =>
        platform.log.error({ err, browser_id: event.element_id }, 'marking a cookie jar orphaned failed'),
      )
    })
  }

  /** The jar attached to a deleted browser keeps its attachment (detach needs force) and is orphaned. */
  private async markOrphaned(browserId: string): Promise<void> {
    const { elements } = this.platform
    const jarRow = await elements.storeOf(jarTables).findByBrowser(browserId)
    if (!jarRow) return
    const jar = await elements.records.getElement(jarRow.element_id)
    if (!jar || jar.deleted_at !== null || !jar.enabled) return
    const state = stateOf(jar.spec, true)
    if (state === jar.state) return
    await elements.patch(jar, { state }, SYSTEM_ACTOR, 'element.state_changed', {
      state,
      reason: 'attached browser deleted',
      browser_id: browserId,
    })
  }

  async close(): Promise<void> {
    this.unsubscribe()
  }
}
