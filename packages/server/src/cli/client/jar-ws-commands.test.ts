// `periodic jar` and `periodic ws` against a real server, in-process with captured output: a
// cookie file imported and exported (0600), describe, a broadcast reaching a real WebSocket
// client, presence, and usage mistakes with exit code 2.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { connect, wsUrl } from '../../../test/ws-test-client.ts'

describe('periodic jar and ws', () => {
  let s: TestServer
  const dir = mkdtempSync(join(tmpdir(), 'periodic-cli-jar-'))
  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('cli')
    expect((await s.api('POST', '/api/cli', { element_type: 'cookie-jar', slug: 'jar' })).status).toBe(201)
    const ws = await s.api('POST', '/api/cli', {
      element_type: 'websocket',
      slug: 'chat',
      spec: { path: '/chat', rooms: { enabled: true } },
    })
    expect(ws.status).toBe(201)
  })
  afterAll(async () => s?.close())

  const cli = cliAgainst(() => s)

  it('imports a Playwright cookie file, describes the jar and exports it to a 0600 file', async () => {
    const file = join(dir, 'state.json')
    writeFileSync(
      file,
      JSON.stringify({
        cookies: [
          { name: 'sid', value: 'v1', domain: '.shop.test', path: '/', expires: -1, sameSite: 'Strict' },
          { name: 'pref', value: 'dark', domain: 'www.shop.test', path: '/', expires: 4102444800 },
        ],
      }),
    )
    const imported = await cli('jar', 'import', 'cli/jar', '--file', file, '--json')
    expect(imported.code).toBe(0)
    expect(JSON.parse(imported.out)).toMatchObject({ cookie_count: 2, added: 2, format: 'playwright' })

    const described = await cli('jar', 'describe', 'cli/jar')
    expect(described.out).toMatch(/cookie_count\s+2/)
    expect(described.out).toMatch(/\.shop\.test\s+1/)

    const out = join(dir, 'out.json')
    const exported = await cli('jar', 'export', 'cli/jar', '--domain', 'shop.test', '-o', out)
    expect(exported.code).toBe(0)
    expect(exported.out).toContain(`2 cookies (v1) written to ${out}`)
    expect(exported.out).not.toContain('v1"')
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const cookies = JSON.parse(readFileSync(out, 'utf8'))
    expect(cookies.find((c: { name: string }) => c.name === 'sid')).toMatchObject({
      value: 'v1',
      sameSite: 'strict',
    })
  })

  it('refuses bad jar input with usage errors or the server’s code', async () => {
    expect((await cli('jar', 'import', 'cli/jar', '--data', '{"x":1}')).code).toBe(2)
    expect((await cli('jar', 'import', 'cli/jar')).code).toBe(2)
    expect((await cli('jar', 'export', 'cli/jar', '--format', 'netscape')).code).toBe(2)
    const bad = await cli('jar', 'import', 'cli/jar', '--data', '[{"name":"x","value":"1","domain":".com"}]')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('JAR_INVALID_COOKIES')
    expect((await cli('jar', 'describe', 'cli/nope')).err).toContain('NOT_FOUND')
  })

  it('broadcasts to a connected client and lists it in presence', async () => {
    const client = await connect(wsUrl(s.url, '/ws/cli/chat?room=lobby'))
    const welcome = await client.next()
    const sent = await cli('ws', 'broadcast', 'cli/chat', '--room', 'lobby', '--data', '{"text":"hi"}')
    expect(sent).toMatchObject({ code: 0, out: 'delivered to 1 of 1 in lobby\n' })
    expect(await client.next()).toEqual({ text: 'hi' })

    const listed = await cli('ws', 'connections', 'cli/chat')
    expect(listed.out).toContain('exposed: 1 connection(s)')
    expect(listed.out).toContain(welcome.connection_id)
    expect(listed.out).toMatch(/lobby/)
    const json = JSON.parse((await cli('ws', 'connections', 'cli/chat', '--room', 'lobby', '--json')).out)
    expect(json.connections.map((c: { connection_id: string }) => c.connection_id)).toEqual([
      welcome.connection_id,
    ])
    client.ws.close()
    expect((await cli('ws', 'broadcast', 'cli/chat')).code).toBe(2)
    expect((await cli('ws', 'shout', 'cli/chat')).code).toBe(2)
  })
})
