// The browser type's runtime: the live Chromium sessions of this server, one per element, with
// a per-element lock, the session limit (server-wide, and the circle's quota), crash detection and
// shutdown on delete/disable/close.

import { join } from 'node:path'
import { Counter, Gauge } from 'prom-client'
import { type Actor, SYSTEM_ACTOR } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { OutboundPolicy } from '../../net/outbound-policy.ts'
import { OutboundProxy } from '../../net/outbound-proxy.ts'
import type { Lease } from '../../quotas/resource-budget.ts'
import { forgetSecrets } from '../../secrets/secrets-of.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { PlatformContext, TypeRuntime } from '../element.ts'
import { BrowserSession } from './browser-session.ts'
import { type ChromiumIdentity, chromiumIdentity, userNamespacesAvailable } from './chromium-identity.ts'
import { BROWSER, browserSpecOf, isWebUrl } from './spec.ts'

export class BrowserRuntime implements TypeRuntime {
  private readonly sessions = new Map<string, BrowserSession>()
  /** Each live (or launching) session's share of its circle's browser quota. */
  private readonly leases = new Map<string, Lease>()
  private readonly locks = new Map<string, Promise<unknown>>()
  /** Sessions being launched count against the limit too, so parallel starts cannot overshoot it. */
  private launching = 0
  private closed = false
  /** When each live session last finished an operation (for the idle stop). */
  private readonly lastUsed = new Map<string, number>()
  private readonly sweeper: NodeJS.Timeout | undefined
  private readonly unsubscribe: Array<() => void>
  private readonly live: Gauge
  readonly navigations: Counter
  readonly cookieLoads: Counter

  readonly policy: OutboundPolicy
  private proxyP: Promise<OutboundProxy> | undefined
  private identityP: Promise<ChromiumIdentity> | undefined
  private resolved: ChromiumIdentity | undefined

  constructor(private readonly platform: PlatformContext) {
    this.policy = new OutboundPolicy(platform.config.outbound.allow, platform.log)
    const registers = [platform.metrics]
    this.live = new Gauge({ name: 'browser_sessions_live', help: 'Live Chromium sessions', registers })
    this.navigations = new Counter({
      name: 'browser_navigations_total',
      help: 'navigate calls by outcome',
      labelNames: ['outcome'],
      registers,
    })
    this.cookieLoads = new Counter({
      name: 'browser_cookie_loads_total',
      help: 'load-cookies-from-jar calls',
      registers,
    })
    // A deleted or disabled browser must not keep a Chromium (and its cookies) alive.
    // Queued behind any operation in flight, so a start racing the delete is ended too.
    const end = (e: { element_id: string | null; data: JsonObject }) => {
      const id = e.element_id
      if (!id || e.data['element_type'] !== 'browser') return
      this.withLock(id, () => this.endFor(id)).catch((err) =>
        platform.log.warn({ err, element: id }, 'ending a deleted or disabled browser’s session failed'),
      )
    }
    // A deleted browser's captured cookies become unreadable for good: its data key is destroyed.
    const shred = (e: { element_id: string | null; data: JsonObject }) => {
      if (!e.element_id || e.data['element_type'] !== 'browser') return
      forgetSecrets(platform, e.element_id).catch((err) =>
        platform.log.warn({ err, element: e.element_id }, 'destroying a deleted browser’s data key failed'),
      )
    }
    const idle = platform.config.browser.idleTimeoutMs
    if (idle > 0) {
      this.sweeper = setInterval(() => this.stopIdle(idle), Math.min(Math.max(idle / 4, 250), 30_000))
      this.sweeper.unref()
    }
    this.unsubscribe = [
      platform.bus.subscribe('element.deleted', end),
      platform.bus.subscribe('element.deleted', shred),
      platform.bus.subscribe('element.disabled', end),
    ]
  }

  /** Runs `fn` after every earlier call for the same browser has finished. */
  withLock<T>(elementId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(elementId) ?? Promise.resolve()
    const run = async () => {
      try {
        return await fn()
      } finally {
        if (this.sessions.has(elementId)) this.lastUsed.set(elementId, Date.now())
      }
    }
    const next = prev.then(run, run)
    const settled = next.catch(() => {})
    this.locks.set(elementId, settled)
    void settled.then(() => {
      if (this.locks.get(elementId) === settled) this.locks.delete(elementId)
    })
    return next
  }

  /** The user Chromium runs as (created once, when the first session starts). */
  private identity(): Promise<ChromiumIdentity> {
    const cfg = this.platform.config.browser
    this.identityP ??= chromiumIdentity(
      cfg.chromiumPath,
      cfg.runAsUser,
      join(this.platform.config.dataDir, 'browser'),
    ).then((id) => {
      this.resolved = id
      return id
    })
    // A failure (useradd refused) is retried by the next start.
    this.identityP.catch(() => {
      this.identityP = undefined
    })
    return this.identityP
  }

  /** The proxy every session's requests go through (started with the first session). */
  private proxy(uid: number): Promise<OutboundProxy> {
    this.proxyP ??= OutboundProxy.start(this.policy, uid)
    return this.proxyP
  }

  /** What isolates this server's Chromium processes, as `status` reports it (no side effects). */
  isolation(): JsonObject {
    const root = process.getuid?.() === 0
    return {
      runs_as: root ? this.platform.config.browser.runAsUser : (process.env['USER'] ?? 'the server user'),
      uid: this.resolved?.uid ?? null,
      chromium_sandbox: userNamespacesAvailable(),
      no_sandbox_flag: false,
      outbound: 'every request goes through the server’s outbound-policy proxy',
    }
  }

  /** A start_url must pass the outbound-address policy when it is written. */
  async verifyWrite(spec: JsonObject): Promise<void> {
    const url = spec['start_url']
    if (typeof url === 'string' && isWebUrl(url)) await this.policy.checkUrlAtWrite(url)
  }

  session(elementId: string): BrowserSession | undefined {
    return this.sessions.get(elementId)
  }

  liveCount(): number {
    return this.sessions.size
  }

  /** The row as stored now: an operation's own copy predates the lock it waited for. */
  private async fresh(row: ElementRow): Promise<ElementRow> {
    return (await this.platform.elements.records.getElement(row.id)) ?? row
  }

  /** Ends the session of a deleted or disabled browser; a racing start may have set `running` over `disabled`. */
  private async endFor(id: string): Promise<void> {
    await this.dropSession(id)
    // A deleted row is never written again, so only a disabled one can need its state back.
    const row = await this.platform.elements.records.getElement(id)
    if (row && !row.enabled && row.state !== 'disabled')
      await this.setState(row, 'disabled', row.state_reason, SYSTEM_ACTOR, 'browser.stopped')
  }

  /** The live session, or BROWSER_NOT_RUNNING (correcting a state a restart left stale). */
  async require(stale: ElementRow, actor: Actor): Promise<BrowserSession> {
    const s = this.sessions.get(stale.id)
    if (s) return s
    const row = (await this.fresh(stale)) ?? stale
    if (row.state === 'running') {
      // The row says running but this server holds no session: it was lost with a restart.
      await this.setState(row, 'crashed', 'the session was lost (server restarted)', actor, 'browser.crashed')
    }
    throw new PlatformError(
      BROWSER.BROWSER_NOT_RUNNING,
      `browser "${row.slug}" has no live session; call start`,
      {
        state: row.state === 'running' ? 'crashed' : row.state,
      },
    )
  }

  async start(row: ElementRow, actor: Actor): Promise<{ session: BrowserSession; row: ElementRow }> {
    if (this.closed) throw new PlatformError(BROWSER.BROWSER_UNAVAILABLE, 'the server is shutting down')
    if (this.sessions.has(row.id)) {
      throw new PlatformError(BROWSER.BROWSER_ALREADY_RUNNING, `browser "${row.slug}" is already running`)
    }
    const max = this.platform.config.browser.maxSessions
    if (this.sessions.size + this.launching >= max) {
      throw new PlatformError(
        BROWSER.BROWSER_SESSION_LIMIT,
        `this server already runs ${max} live browser session(s); stop one first`,
        { max_sessions: max },
      )
    }
    // A start cannot wait for room (the caller holds a request open): beyond the circle's
    // quota it is refused, 429 QUOTA_EXCEEDED.
    const lease = this.platform.quotas.admit(row.circle_id, { browser_sessions: 1 })
    this.launching++
    let session: BrowserSession
    try {
      const cfg = this.platform.config.browser
      const identity = await this.identity()
      session = await BrowserSession.launch({
        chromiumPath: cfg.chromiumPath,
        identity,
        proxy: (await this.proxy(identity.uid)).credentials(),
        userAgent: browserSpecOf(row).user_agent,
      })
    } catch (err) {
      lease.release()
      throw err
    } finally {
      this.launching--
    }
    if (this.closed) {
      lease.release()
      await session.close()
      throw new PlatformError(BROWSER.BROWSER_UNAVAILABLE, 'the server is shutting down')
    }
    const current = await this.fresh(row)
    if (!current?.enabled) {
      lease.release()
      await session.close()
      throw !current
        ? new PlatformError(E.ELEMENT_NOT_FOUND, `browser "${row.slug}" was deleted while it started`)
        : new PlatformError(E.ELEMENT_DISABLED, `browser "${row.slug}" was disabled while it started`)
    }
    this.leases.set(row.id, lease)
    this.sessions.set(row.id, session)
    this.live.set(this.sessions.size)
    session.onCrash((reason) => {
      void this.withLock(row.id, async () => {
        if (this.sessions.get(row.id) !== session) return
        this.forget(row.id)
        const current = await this.platform.elements.records.getElement(row.id)
        if (current?.enabled) await this.setState(current, 'crashed', reason, SYSTEM_ACTOR, 'browser.crashed')
      }).catch((err) => this.platform.log.warn({ err, element: row.id }, 'recording a browser crash failed'))
    })
    const next = await this.setState(row, 'running', null, actor, 'browser.started')
    return { session, row: next }
  }

  async stop(stale: ElementRow, actor: Actor): Promise<ElementRow> {
    await this.dropSession(stale.id)
    const row = (await this.fresh(stale)) ?? stale
    return row.state === 'stopped' ? row : this.setState(row, 'stopped', null, actor, 'browser.stopped')
  }

  private async dropSession(id: string): Promise<void> {
    const s = this.sessions.get(id)
    if (!s) return
    this.forget(id)
    await s.close()
  }

  private forget(id: string): void {
    this.leases.get(id)?.release()
    this.leases.delete(id)
    this.sessions.delete(id)
    this.lastUsed.delete(id)
    this.live.set(this.sessions.size)
  }

  async setState(
    row: ElementRow,
    state: string,
    reason: string | null,
    actor: Actor,
    event: string,
  ): Promise<ElementRow> {
    return this.platform.elements.patch(row, { state, state_reason: reason }, actor, event, { state })
  }

  /** Stops sessions no operation used for `idle` ms (one in use holds its lock, so it is skipped). */
  private stopIdle(idle: number): void {
    const now = Date.now()
    for (const [id, at] of this.lastUsed) {
      if (now - at < idle || this.locks.has(id)) continue
      this.withLock(id, async () => {
        if (!this.sessions.has(id) || Date.now() - (this.lastUsed.get(id) ?? 0) < idle) return
        await this.dropSession(id)
        const row = await this.platform.elements.records.getElement(id)
        if (row?.state === 'running')
          await this.setState(
            row,
            'stopped',
            `idle for more than ${idle} ms`,
            SYSTEM_ACTOR,
            'browser.stopped',
          )
      }).catch((err) => this.platform.log.warn({ err, element: id }, 'stopping an idle browser failed'))
    }
  }

  /** Server close: every Chromium ends, and its browser is recorded as stopped. */
  async close(): Promise<void> {
    this.closed = true
    if (this.sweeper) clearInterval(this.sweeper)
    for (const u of this.unsubscribe) u()
    const ids = [...this.sessions.keys()]
    const proxy = this.proxyP
    await Promise.all(
      ids.map((id) =>
        this.withLock(id, async () => {
          await this.dropSession(id)
          const row = await this.platform.elements.records.getElement(id).catch(() => undefined)
          if (row && row.state === 'running')
            await this.setState(
              row,
              'stopped',
              'the server shut down',
              SYSTEM_ACTOR,
              'browser.stopped',
            ).catch(() => {})
        }),
      ),
    )
    await (await proxy?.catch(() => undefined))?.close()
  }
}
