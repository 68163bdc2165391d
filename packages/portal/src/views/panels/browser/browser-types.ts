// The browser's `status` answer, by the fields the panel reads (docs/elements/browser.md).

export interface BrowserStatus {
  state: string
  live: boolean
  started_at: string | null
  page: { url: string; title: string } | null
  captured: {
    cookie_count: number
    cookie_domains: string[]
    cookies_version: number
    cookies_captured_at: string | null
  }
  server: { isolation: unknown; live_sessions: number; max_sessions: number | null }
}
