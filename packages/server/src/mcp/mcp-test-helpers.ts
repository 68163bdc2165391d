// The official MCP SDK client connected to a test server's /mcp/{circle} with a key.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

export async function connectMcp(url: string, circle: string, key: string): Promise<Client> {
  const client = new Client({ name: 'periodic-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp/${circle}`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  })
  await client.connect(transport)
  return client
}

/** Posts one raw JSON-RPC body (as a client would) and returns status, headers and text. */
export async function postMcp(
  url: string,
  circle: string,
  key: string | null,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${url}/mcp/${circle}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    },
    body,
  })
  return { status: res.status, text: await res.text(), headers: res.headers }
}
