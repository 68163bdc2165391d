// One live headless Chromium (playwright-core over CDP) with its own throw-away user-data dir.
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, type CDPSession, chromium, errors, type Page } from 'playwright-core'
import { PlatformError } from '../../errors.ts'
import type { ProxyCredentials } from '../../net/outbound-proxy.ts'
import type { CdpCookieParam } from '../cookie-jar/cookie-formats.ts'
import type { ChromiumIdentity } from './chromium-identity.ts'
import { BROWSER } from './spec.ts'

/**
 * The flags the issue fixes; Playwright adds its own automation flags (and pipes, not a port).
 * No --no-sandbox: Chromium's sandbox stays on. WebRTC may not send UDP around the proxy.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--disable-gpu',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A cookie as CDP's Storage.getCookies returns it (the fields we use; Chromium sends more). */
export interface CdpCookie {
  name: string
  value: string
  domain: string
  path: string
  expires: number
  httpOnly: boolean
  secure: boolean
  session: boolean
  sameSite?: 'Strict' | 'Lax' | 'None'
}

/** A cookie as CDP's Network.setCookie(s) takes it. */
export interface LaunchOptions {
  /** The Chromium executable (checked to exist). */
  chromiumPath: string
  /** Who Chromium runs as: the executable to launch (maybe a wrapper) and the profile's owner. */
  identity: ChromiumIdentity
  /** Every request goes through this proxy (the outbound-address policy). */
  proxy: ProxyCredentials
  userAgent?: string
}

export interface NavigationResult {
  status: number | null
  url: string
  title: string
}

export function chromiumExists(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export class BrowserSession {
  readonly startedAt = new Date().toISOString()
  private closing = false
  private crashListener: ((reason: string) => void) | undefined

  private constructor(
    readonly userDataDir: string,
    private readonly context: BrowserContext,
    private readonly page: Page,
    private readonly cdp: CDPSession,
  ) {
    // The context closes when Chromium exits; unless we asked for it, that is a crash.
    context.on('close', () => {
      if (this.closing) return
      void removeDir(userDataDir)
      this.crashListener?.('the Chromium process exited')
    })
  }

  /**
   * launchPersistentContext rather than launch(): it is launch() with a user-data dir we choose
   * (and remove), and Playwright still owns the process and talks to it over a pipe, so no
   * DevTools port is open on localhost for other local users to reach the cookies through.
   */
  static async launch(opts: LaunchOptions): Promise<BrowserSession> {
    if (!chromiumExists(opts.chromiumPath)) {
      throw new PlatformError(BROWSER.BROWSER_UNAVAILABLE, `no Chromium executable at ${opts.chromiumPath}`, {
        path: opts.chromiumPath,
      })
    }
    const id = opts.identity
    // Outside the data dir on purpose: Chromium's own cookie database holds the values in clear.
    // 0700 and owned by the user Chromium runs as.
    const dir = mkdtempSync(join(tmpdir(), 'periodic-browser-'))
    if (process.getuid?.() === 0) chownSync(dir, id.uid, id.gid)
    let context: BrowserContext | undefined
    try {
      context = await chromium.launchPersistentContext(dir, {
        executablePath: id.executablePath,
        headless: true,
        chromiumSandbox: id.chromiumSandbox,
        args: CHROMIUM_ARGS,
        // Not the server's environment: it holds the server's own secrets.
        env: {
          PATH: '/usr/local/bin:/usr/bin:/bin',
          HOME: dir,
          XDG_CONFIG_HOME: dir,
          XDG_CACHE_HOME: dir,
          LANG: 'C.UTF-8',
        },
        // Every request, redirect and sub-resource goes through it (Chromium resolves no names).
        proxy: opts.proxy,
        userAgent: opts.userAgent || undefined,
        timeout: 30_000,
      })
      const page = context.pages()[0] ?? (await context.newPage())
      const cdp = await context.newCDPSession(page)
      return new BrowserSession(dir, context, page, cdp)
    } catch (err) {
      await context?.close().catch(() => {})
      await removeDir(dir)
      throw new PlatformError(BROWSER.BROWSER_UNAVAILABLE, `Chromium failed to start: ${firstLine(err)}`, {
        path: opts.chromiumPath,
      })
    }
  }

  onCrash(listener: (reason: string) => void): void {
    this.crashListener = listener
  }

  async navigate(url: string, timeoutMs: number): Promise<NavigationResult> {
    try {
      return await this.goto(url, timeoutMs)
    } catch (err) {
      // After a failed load Chromium commits its own error page a moment later, and a navigation
      // started meanwhile is "interrupted" by it (seen too, under heavy load, as an interruption
      // by a navigation to the same URL): once that settles, the next try goes through.
      if (!(err instanceof Error) || !err.message.includes('interrupted by another navigation to'))
        throw this.navigationError(err, url, timeoutMs)
      await this.page.waitForLoadState('load', { timeout: 2000 }).catch(() => {})
      try {
        return await this.goto(url, timeoutMs)
      } catch (again) {
        throw this.navigationError(again, url, timeoutMs)
      }
    }
  }

  private async goto(url: string, timeoutMs: number): Promise<NavigationResult> {
    const res = await this.page.goto(url, { timeout: timeoutMs, waitUntil: 'load' })
    return { status: res?.status() ?? null, url: this.page.url(), title: await this.page.title() }
  }

  private navigationError(err: unknown, url: string, timeoutMs: number): PlatformError {
    if (err instanceof errors.TimeoutError) {
      return new PlatformError(
        BROWSER.BROWSER_NAVIGATION_TIMEOUT,
        `${safeUrl(url)} did not load within ${timeoutMs} ms`,
        { timeout_ms: timeoutMs },
      )
    }
    return this.failure(err, BROWSER.BROWSER_NAVIGATION_FAILED, `could not load ${safeUrl(url)}`)
  }

  /** The current page; the title is left empty when the page is too busy to give it within a second. */
  async location(): Promise<{ url: string; title: string }> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(''), 1000)
    })
    const title = await Promise.race([this.page.title().catch(() => ''), late])
    clearTimeout(timer)
    return { url: this.page.url(), title }
  }

  /** Every cookie of the session (all sites), as CDP reports them. */
  async cookies(): Promise<CdpCookie[]> {
    try {
      // playwright-core does not export its protocol types; ours name the fields we read.
      return (await this.cdp.send('Storage.getCookies', {})).cookies as unknown as CdpCookie[]
    } catch (err) {
      throw this.failure(err, BROWSER.BROWSER_SESSION_CRASHED, 'reading cookies failed')
    }
  }

  /** Sets a batch; throws when Chromium rejects the batch as a whole (a malformed field). */
  async setCookies(cookies: CdpCookieParam[]): Promise<void> {
    await this.cdp.send('Network.setCookies', { cookies })
  }

  /** Sets one cookie; returns Chromium's refusal reason, or null when it was accepted. */
  async setCookie(cookie: CdpCookieParam): Promise<string | null> {
    try {
      const res = await this.cdp.send('Network.setCookie', cookie)
      return res.success === false ? 'Chromium refused the cookie' : null
    } catch (err) {
      if (!this.alive()) throw this.failure(err, BROWSER.BROWSER_SESSION_CRASHED, 'setting a cookie failed')
      return firstLine(err).replace(/^.*Protocol error \([^)]*\):\s*/, '')
    }
  }

  async clearCookies(): Promise<void> {
    try {
      await this.context.clearCookies()
    } catch (err) {
      throw this.failure(err, BROWSER.BROWSER_SESSION_CRASHED, 'clearing cookies failed')
    }
  }

  alive(): boolean {
    return !this.closing && this.context.browser()?.isConnected() !== false && !this.page.isClosed()
  }

  /** Closes Chromium and removes the user-data dir (also when Chromium already died). */
  async close(): Promise<void> {
    this.closing = true
    await this.context.close().catch(() => {})
    await removeDir(this.userDataDir)
  }

  private failure(
    err: unknown,
    def: typeof BROWSER.BROWSER_NAVIGATION_FAILED,
    message: string,
  ): PlatformError {
    if (err instanceof PlatformError) return err
    if (!this.alive() && !this.closing) {
      return new PlatformError(BROWSER.BROWSER_SESSION_CRASHED, `${message}: the Chromium session died`)
    }
    return new PlatformError(def, `${message}: ${firstLine(err)}`, { reason: firstLine(err) })
  }
}

/**
 * Removes a profile dir. Chromium's helper processes may still write into it for a moment after
 * the browser process went away (ENOTEMPTY), so this retries instead of failing; it never throws.
 */
async function removeDir(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true })
      return
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return (msg.split('\n')[0] ?? '').slice(0, 300)
}

/** A URL fit for an error message: no credentials, no query (they may carry tokens). */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw)
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 300)
  } catch {
    return '(invalid url)'
  }
}
