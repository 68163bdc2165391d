// browser: a live headless Chromium session (driven over CDP) that captures cookies and saves
// them to, or loads them from, the cookie-jar attached to it.
import { defineElement } from '../element.ts'
import { BrowserRuntime } from './browser-runtime.ts'
import { cookieOperations } from './cookie-operations.ts'
import { jarOperations } from './jar-operations.ts'
import { sessionOperations } from './session-operations.ts'
import { BROWSER, browserRules, browserSpec, presentBrowserSpec, preValidateBrowser } from './spec.ts'

export const browserType = defineElement({
  type: 'browser',
  name: 'Browser',
  description:
    'A live headless Chromium session: start, navigate, capture cookies, and save them to or load them from an attached cookie-jar.',
  symbol: 'Br',
  category: 'actions',
  form: 'atom',
  spec: browserSpec,
  rules: browserRules,
  preValidate: preValidateBrowser,
  presentSpec: presentBrowserSpec,
  // stopped: no session; running: a live Chromium; crashed: the session died without stop.
  states: ['stopped', 'running', 'crashed', 'disabled', 'deleted'],
  initialState: 'stopped',
  errors: BROWSER,
  capabilities: ['live-session', 'cookie-capture', 'cookie-jar-sync'],
  metrics: ['browser_sessions_live', 'browser_navigations_total', 'browser_cookie_loads_total'],
  events: [
    'browser.started',
    'browser.stopped',
    'browser.crashed',
    'browser.cookies_saved_to_jar',
    'browser.cookies_loaded_from_jar',
    'element.updated',
  ],
  runtime: (platform) => new BrowserRuntime(platform),
  operations: [...sessionOperations, ...cookieOperations, ...jarOperations],
})
