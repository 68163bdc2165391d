// The browser's configuration: Chromium's path and the session limit, from flags or variables.
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../config.ts'

describe('browser configuration', () => {
  it('defaults to Debian’s /usr/bin/chromium and 4 live sessions', () => {
    expect(parseConfig([], {}).browser).toEqual({
      chromiumPath: '/usr/bin/chromium',
      maxSessions: 4,
      idleTimeoutMs: 1_800_000,
      runAsUser: 'periodic-browser',
    })
  })

  it('takes the unprivileged user from PERIODIC_BROWSER_USER and refuses what is no user name', () => {
    expect(parseConfig([], { PERIODIC_BROWSER_USER: 'chrome-user' }).browser.runAsUser).toBe('chrome-user')
    for (const bad of ['root;id', '-x', 'A B', ''])
      expect(() => parseConfig(['--browser-user', bad], {}), bad).toThrow(ConfigError)
  })

  it('takes PERIODIC_CHROMIUM_PATH and PERIODIC_BROWSER_MAX_SESSIONS, a flag winning over its variable', () => {
    const env = { PERIODIC_CHROMIUM_PATH: '/opt/chrome', PERIODIC_BROWSER_MAX_SESSIONS: '9' }
    expect(parseConfig([], env).browser).toMatchObject({ chromiumPath: '/opt/chrome', maxSessions: 9 })
    expect(parseConfig(['--browser-max-sessions', '0'], env).browser.maxSessions).toBe(0)
  })

  it('refuses a session limit that is not an integer from 0 to 1000', () => {
    for (const bad of ['-1', 'many', '1.5', '1001'])
      expect(() => parseConfig([], { PERIODIC_BROWSER_MAX_SESSIONS: bad }), bad).toThrow(ConfigError)
  })

  it('stops idle sessions after PERIODIC_BROWSER_IDLE_TIMEOUT_MS (0: never; at least 1000)', () => {
    expect(parseConfig([], { PERIODIC_BROWSER_IDLE_TIMEOUT_MS: '0' }).browser.idleTimeoutMs).toBe(0)
    expect(parseConfig(['--browser-idle-timeout', '5000'], {}).browser.idleTimeoutMs).toBe(5000)
    for (const bad of ['999', '-5', 'soon'])
      expect(() => parseConfig([], { PERIODIC_BROWSER_IDLE_TIMEOUT_MS: bad }), bad).toThrow(ConfigError)
  })
})
