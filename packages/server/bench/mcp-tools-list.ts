// Benchmark: MCP `tools/list` on a circle of 1,000 elements (variables, the cheapest type), over
// the official SDK client against /mcp/{circle} on SQLite. Warm: the circle's tool catalogue is
// cached; after a write: an element write dropped it just before (the listing is rebuilt).
// Anchor: < 50 ms. Run alone: npx tsx packages/server/bench/mcp-tools-list.ts
// (bench:agents imports benchMcpToolsList). Prints figures; asserts nothing.
import { pathToFileURL } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startBenchPlatform } from './bench-platform.ts'

type Quantiles = { p50: number; p95: number; n: number }

export interface McpToolsListFigures {
  elements: number
  tools: number
  pages: number
  bytes: number
  /** One tools/list request (the first page), catalogue cached. */
  page: Quantiles
  /** Every page, following nextCursor, catalogue cached. */
  all: Quantiles
  /** Every page, just after an element write dropped the catalogue. */
  afterWrite: Quantiles
}

const ANCHOR_MS = 50

function quantiles(ms: number[]): Quantiles {
  const s = [...ms].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN
  return { p50: q(0.5), p95: q(0.95), n: s.length }
}

export async function benchMcpToolsList(
  opts: { elements?: number; rounds?: number } = {},
): Promise<McpToolsListFigures> {
  const elements = opts.elements ?? 1000
  const rounds = opts.rounds ?? 100
  const b = await startBenchPlatform('mcp-tools-list')
  try {
    await b.api('POST', '/api', { element_type: 'circle', slug: 'bench' })
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < elements) {
          const i = next++
          await b.api('POST', '/api/bench', {
            element_type: 'variable',
            slug: `var-${i}`,
            spec: { value: i },
          })
        }
      }),
    )
    const client = new Client({ name: 'periodic-bench', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${b.p.url}/mcp/bench`), {
        requestInit: { headers: { authorization: `Bearer ${b.p.adminKey}` } },
      }),
    )
    /** Every page, following nextCursor (what a client does to learn all tools). */
    const listAll = async (measure = false) => {
      let tools = 0
      let pages = 0
      let bytes = 0
      let cursor: string | undefined
      do {
        const r = await client.listTools(cursor === undefined ? {} : { cursor })
        tools += r.tools.length
        pages++
        if (measure) bytes += Buffer.byteLength(JSON.stringify(r))
        cursor = r.nextCursor
      } while (cursor !== undefined)
      return { tools, pages, bytes }
    }
    const time = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now()
      await fn()
      return performance.now() - t0
    }
    const listing = await listAll(true)
    for (let i = 0; i < 10; i++) await listAll() // warm-up
    const page: number[] = []
    const all: number[] = []
    for (let i = 0; i < rounds; i++) {
      page.push(await time(() => client.listTools()))
      all.push(await time(() => listAll()))
    }
    const afterWrite: number[] = []
    for (let i = 0; i < Math.max(10, rounds / 5); i++) {
      await b.api('POST', `/api/bench/var-${i}/ops/set`, { value: -i })
      afterWrite.push(await time(() => listAll()))
    }
    await client.close()
    const figures: McpToolsListFigures = {
      elements,
      ...listing,
      page: quantiles(page),
      all: quantiles(all),
      afterWrite: quantiles(afterWrite),
    }
    const f = (q: Quantiles) => `p50 ${q.p50.toFixed(1)} ms, p95 ${q.p95.toFixed(1)} ms (n=${q.n})`
    console.log(
      `MCP tools/list, ${elements} elements: ${listing.tools} tools in ${listing.pages} pages, ${(listing.bytes / 1024).toFixed(0)} KiB (SDK client, SQLite)`,
    )
    console.log(`  one request (first page)          ${f(figures.page)}   anchor < ${ANCHOR_MS} ms`)
    console.log(`  every page (whole listing)        ${f(figures.all)}   anchor < ${ANCHOR_MS} ms`)
    console.log(`  every page, after an element write ${f(figures.afterWrite)}`)
    return figures
  } finally {
    await b.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchMcpToolsList()
