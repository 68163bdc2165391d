// The browser's captured cookies at rest: spec.cookies is one sealed blob (AES-256-GCM under the
// browser's data key) bound to the browser's id and spec.cookies_version, sealed and opened with
// the jar module's helpers (the jar's diff reads a browser's capture the same way).

import type { Actor } from '../../auth/actor.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import { type JarCookie, openBrowserCookies, sealBrowserCookies } from '../cookie-jar/jar-access.ts'
import type { ElementsPort } from '../element.ts'
import { BROWSER, browserSpecOf } from './spec.ts'

interface Ctx {
  elements: ElementsPort
}

/** The cookies last captured from `browser` (empty when none were); BROWSER_COOKIES_UNREADABLE if tampered. */
export async function readBrowserCookies(ctx: Ctx, browser: ElementRow): Promise<JarCookie[]> {
  try {
    return await openBrowserCookies(ctx, browser)
  } catch (err) {
    if (err instanceof PlatformError && err.code === 'SECRET_INTEGRITY_FAILED') {
      throw new PlatformError(
        BROWSER.BROWSER_COOKIES_UNREADABLE,
        `the captured cookies of "${browser.slug}" failed to open (altered, copied from another browser, or from another version); capture them again`,
        { cookies_version: browserSpecOf(browser).cookies_version },
      )
    }
    throw err
  }
}

/** Derived fields shown by `get` and `status` without opening the blob. */
function summary(cookies: JarCookie[]): JsonObject {
  return {
    cookie_count: cookies.length,
    cookie_domains: [...new Set(cookies.map((c) => c.domain))].sort(),
  }
}

/**
 * Seals `cookies` as the browser's new capture and writes it as a new element version. Sealing
 * needs the next cookies_version first; the caller holds the browser's lock, so no other capture
 * can take that number meanwhile.
 */
export async function storeCapturedCookies(
  ctx: Ctx,
  browser: ElementRow,
  cookies: JarCookie[],
  actor: Actor,
  message: string,
): Promise<ElementRow> {
  const fresh = (await ctx.elements.records.getElement(browser.id)) ?? browser
  const version = browserSpecOf(fresh).cookies_version + 1
  const sealed = await sealBrowserCookies(ctx, browser.id, version, cookies)
  return ctx.elements.update(
    fresh,
    {
      spec: {
        cookies: sealed,
        cookies_version: version,
        cookies_captured_at: new Date().toISOString(),
        ...summary(cookies),
      },
      message,
    },
    actor,
  )
}
