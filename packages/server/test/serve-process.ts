// `periodic serve` as a real process for tests that stop, kill or run several nodes: started
// on an ephemeral port, resolved once it logs its URL, stopped with SIGTERM or killed with -9.
import { type ChildProcess, spawn } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = join(import.meta.dirname, '../bin/periodic.mjs')

export interface ServeProcess {
  url: string
  child: ChildProcess
  dir: string
  /** Everything the process printed so far. */
  output(): string
}

/** How a test runs the node beyond its environment (both need the test to be root). */
export interface ServeOptions {
  /** The host user to run it as; its data dir and HOME are its own. */
  user?: { uid: number; gid: number }
  /** A file bind-mounted over /etc/resolv.conf for this process alone (a private mount namespace). */
  resolvConf?: string
}

/** The command line of a node: the bin, in its own mount namespace and dropped to `user` if asked. */
function serveCommand(args: string[], o: ServeOptions): { command: string; args: string[] } {
  if (!o.resolvConf) return { command: process.execPath, args: [BIN, ...args] }
  const drop = o.user
    ? ['setpriv', `--reuid=${o.user.uid}`, `--regid=${o.user.gid}`, '--clear-groups', '--']
    : []
  const bindResolvConf = 'mount --bind "$0" /etc/resolv.conf && exec "$@"'
  return {
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      bindResolvConf,
      o.resolvConf,
      ...drop,
      process.execPath,
      BIN,
      ...args,
    ],
  }
}

/** Starts a node; `dir` reuses a data dir (a restart), otherwise a fresh one is made. */
export function startServeProcess(
  env: Record<string, string>,
  dir?: string,
  opts: ServeOptions = {},
): Promise<ServeProcess> {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'periodic-node-'))
  if (opts.user) chownSync(dataDir, opts.user.uid, opts.user.gid)
  const { command, args } = serveCommand(['serve', '--port', '0', '--data-dir', dataDir], opts)
  const child = spawn(command, args, {
    env: {
      ...process.env,
      PERIODIC_LOG_LEVEL: 'info',
      DATABASE_URL: '',
      REDIS_URL: '',
      ...(opts.user ? { HOME: dataDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Without a mount namespace, node itself drops to the user (setpriv does it otherwise).
    ...(opts.resolvConf ? {} : opts.user),
  })
  let out = ''
  const output = () => out
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${out}`)), 30_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /"url":"(http:\/\/[^"]+)".*"periodic is serving"/.exec(out)
      if (m && timer) {
        clearTimeout(timer)
        resolve({ url: m[1]!, child, dir: dataDir, output })
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${out}`))
    })
  })
}

/** SIGKILL: no shutdown hook runs, as when a machine dies. */
export function killServeProcess(n: ServeProcess): Promise<void> {
  return stop(n, 'SIGKILL')
}

/** SIGTERM and wait; `keepDir` leaves the data dir for a restart. */
export async function stopServeProcess(n: ServeProcess, opts: { keepDir?: boolean } = {}): Promise<void> {
  await stop(n, 'SIGTERM')
  if (!opts.keepDir) rmSync(n.dir, { recursive: true, force: true })
}

function stop(n: ServeProcess, signal: NodeJS.Signals): Promise<void> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return Promise.resolve()
  n.child.removeAllListeners('exit')
  return new Promise<void>((resolve) => {
    n.child.once('exit', () => resolve())
    n.child.kill(signal)
  })
}

/** A JSON request with a bearer key. */
export async function callNode(n: ServeProcess, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(n.url + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as any }
}
