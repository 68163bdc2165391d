// A private network for egress tests: a network namespace of its own, joined to the host by a
// veth pair on a random 10.213.x.0/29, with an HTTP server inside on two addresses and two
// ports, and a DNS server on the second address that resolves every name to the first. Nothing leaves the machine: the addresses exist only on this pair. Creating it needs
// root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and `ip` from iproute2.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { existsSync } from 'node:fs'

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p))

// Answers every GET with a body naming the address and port it came in on, and every DNS
// query for an A record, on port 53 of its second address, with its first address; prints one line per
// request or query, so the test knows exactly what was reached. A line on its stdin comes back
// as SYNCED after every line of what was answered before it.
const SERVER = `
import http.server, socket, socketserver, struct, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host, port = self.connection.getsockname()[:2]
        print(f"HIT {host}:{port} {self.path}", flush=True)
        body = f"hello from {host}:{port}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
def dns(listen, address):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((listen, 53))
    while True:
        q, peer = s.recvfrom(512)
        labels, i = [], 12
        while q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode())
            i += q[i] + 1
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        print("HIT dns", ".".join(labels), qtype, flush=True)
        answer = b"\\xc0\\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(address) if qtype == 1 else b""
        header = q[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if answer else 0, 0, 0)
        s.sendto(header + q[12:i + 5] + answer, peer)
threading.Thread(target=dns, args=(sys.argv[2], sys.argv[1]), daemon=True).start()
servers = [socketserver.ThreadingTCPServer(("0.0.0.0", 0), H) for _ in range(2)]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
print("PORTS", *(s.server_address[1] for s in servers), flush=True)
for line in sys.stdin:
    print("SYNCED", line.strip(), flush=True)
`

export interface NetnsHttpServer {
  /** Two addresses of the server, private (10.213.x.2 and .3), reachable from the host only. */
  addresses: [string, string]
  /** The two ports it listens on, on both addresses. */
  ports: [number, number]
  /** `address:port path` of every request, `dns name qtype` of every query, answered before this call. */
  hits(): Promise<string[]>
  close(): void
}

/** Why this machine cannot create the test network (null: it can). */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root'
  if (!IP) return '`ip` (iproute2) is not installed'
  try {
    execFileSync('unshare', ['--net', 'true'], { stdio: 'ignore' })
  } catch {
    return 'this machine does not allow new network namespaces (unshare --net failed)'
  }
  return null
}

function ip(...args: string[]): void {
  execFileSync(IP!, args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** A /24 under 10.213.0.0/16 that no address or route of the host mentions. */
function freePrefix(): string {
  const taken = `${execFileSync(IP!, ['-4', 'addr'], { encoding: 'utf8' })}${execFileSync(IP!, ['-4', 'route'], { encoding: 'utf8' })}`
  for (;;) {
    const prefix = `10.213.${randomInt(1, 255)}.`
    if (!taken.includes(prefix)) return prefix
  }
}

export async function startNetnsHttpServer(): Promise<NetnsHttpServer> {
  const id = randomBytes(3).toString('hex')
  const ns = `periodic-egress-${id}`
  const [hostEnd, nsEnd] = [`pe${id}h`, `pe${id}n`]
  const prefix = freePrefix()
  const addresses: [string, string] = [`${prefix}2`, `${prefix}3`]
  let server: ChildProcess | undefined
  const close = () => {
    server?.kill('SIGKILL')
    for (const args of [
      ['netns', 'del', ns],
      ['link', 'del', hostEnd],
    ])
      try {
        ip(...args)
      } catch {}
  }
  try {
    ip('netns', 'add', ns)
    ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd)
    ip('link', 'set', nsEnd, 'netns', ns)
    ip('addr', 'add', `${prefix}1/29`, 'dev', hostEnd)
    ip('link', 'set', hostEnd, 'up')
    for (const a of addresses) ip('-n', ns, 'addr', 'add', `${a}/29`, 'dev', nsEnd)
    ip('-n', ns, 'link', 'set', nsEnd, 'up')
    ip('-n', ns, 'link', 'set', 'lo', 'up')
    server = spawn(IP!, ['netns', 'exec', ns, '/usr/bin/python3', '-c', SERVER, ...addresses], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    const lines: string[] = []
    const synced = new Map<string, () => void>()
    const ports = await new Promise<[number, number]>((resolve, reject) => {
      let buf = ''
      server!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString()
        const done = buf.split('\n')
        buf = done.pop() ?? ''
        for (const l of done) {
          const m = /^PORTS (\d+) (\d+)$/.exec(l)
          if (m) resolve([Number(m[1]), Number(m[2])])
          else if (l.startsWith('HIT ')) lines.push(l.slice(4))
          else if (l.startsWith('SYNCED ')) synced.get(l.slice(7))?.()
        }
      })
      server!.once('exit', (code) => reject(new Error(`the namespace's HTTP server exited with ${code}`)))
    })
    let n = 0
    const hits = () =>
      new Promise<string[]>((resolve) => {
        const token = String(++n)
        synced.set(token, () => resolve([...lines]))
        server!.stdin!.write(`${token}\n`)
      })
    return { addresses, ports, hits, close }
  } catch (err) {
    close()
    throw err
  }
}
