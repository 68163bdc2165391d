// Where a git source's repository points, and how `git clone` is told to go there and nowhere
// else: the host is resolved and checked by the outbound policy first, then git is pinned to the
// checked address (curl's resolve list for http(s), the address itself for git:// and ssh), told
// not to follow redirects, and limited to the transports the operator allows.
import { isIP } from 'node:net'
import { PlatformError } from '../../errors.ts'
import { type CheckedTarget, hostPortOf, type OutboundPolicy } from '../../net/outbound-policy.ts'
import { PY } from './spec.ts'

export interface GitRemoteOptions {
  allowLocal: boolean
  allowSsh: boolean
}

export type GitRemote =
  | { kind: 'url'; url: URL }
  | { kind: 'scp'; user: string; host: string; path: string }
  | { kind: 'local' }

const refuse = (message: string) =>
  new PlatformError(PY.PYTHON_SOURCE_UNAVAILABLE, message, { field: 'spec.source.repository' })

/**
 * Classifies a repository the way git does: a URL with a scheme, scp-like `[user@]host:path`
 * (a colon before any slash: ssh), or a local path. Throws when the form is switched off.
 */
export function gitRemoteOf(repository: string, o: GitRemoteOptions): GitRemote {
  if (repository.startsWith('-') || /[\s\0]/.test(repository))
    throw refuse('spec.source.repository is not a repository URL or path')
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repository)?.[1]?.toLowerCase()
  if (scheme && scheme !== 'file') {
    let url: URL
    try {
      url = new URL(repository)
    } catch {
      throw refuse('spec.source.repository is not a repository URL or path')
    }
    if (!['http', 'https', 'git', 'ssh'].includes(scheme))
      throw refuse('spec.source.repository must be an https://, http://, git:// or ssh:// remote')
    if (scheme === 'ssh' && !o.allowSsh) throw sshOff()
    return { kind: 'url', url }
  }
  const scp = /^(?:([^@/:]+)@)?(\[[^\]/]+\]|[^:/[\]]+):(?!\/\/)(.*)$/.exec(repository)
  if (!scheme && scp && !repository.startsWith('/') && !repository.startsWith('.')) {
    if (!o.allowSsh) throw sshOff()
    return {
      kind: 'scp',
      user: scp[1] ?? '',
      host: (scp[2] ?? '').replace(/^\[|\]$/g, ''),
      path: scp[3] ?? '',
    }
  }
  // A local path would let a circle read any repository the server's user can.
  if (!o.allowLocal)
    throw refuse(
      'spec.source.repository must be an https://, ssh:// or git:// remote (local repositories are off; PERIODIC_GIT_ALLOW_LOCAL=1 allows them)',
    )
  return { kind: 'local' }
}

const sshOff = () =>
  refuse(
    'spec.source.repository: ssh remotes are off (they would use the server’s own keys); PERIODIC_GIT_ALLOW_SSH=1 allows them',
  )

/** The remote's host and port, for the outbound policy (null for a local repository). */
export function remoteHostPort(remote: GitRemote): { host: string; port: number } | null {
  if (remote.kind === 'local') return null
  if (remote.kind === 'scp') return { host: remote.host, port: 22 }
  return hostPortOf(remote.url)
}

const bracket = (address: string) => (isIP(address) === 6 ? `[${address}]` : address)

/** The clone's `-c` options, repository argument and environment, pinned to `target`. */
export function pinnedClone(
  remote: GitRemote,
  repository: string,
  target: CheckedTarget | null,
  o: GitRemoteOptions,
): { config: string[]; repository: string; env: Record<string, string> } {
  const protocols = [
    'https',
    'http',
    'git',
    ...(o.allowSsh ? ['ssh'] : []),
    ...(o.allowLocal ? ['file'] : []),
  ]
  const config = [
    'protocol.allow=never',
    ...protocols.map((p) => `protocol.${p}.allow=always`),
    // A redirect would lead to a host the policy never saw.
    'http.followRedirects=false',
  ]
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: protocols.join(':') }
  if (o.allowSsh) env['GIT_SSH_COMMAND'] = 'ssh -o BatchMode=yes'
  const first = target?.addresses[0]
  if (!target || !first || remote.kind === 'local') return { config, repository, env }
  // ssh connects to the checked address but checks the host key known for the name. The name
  // goes into a shell command line (GIT_SSH_COMMAND): only plain host names.
  if (o.allowSsh && /^[a-z0-9.-]{1,253}$/i.test(target.host))
    env['GIT_SSH_COMMAND'] = `ssh -o BatchMode=yes -o HostKeyAlias=${target.host}`
  if (remote.kind === 'scp') {
    const user = remote.user ? `${remote.user}@` : ''
    return { config, repository: `${user}${bracket(first.address)}:${remote.path}`, env }
  }
  const { url } = remote
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    // curl connects to these addresses for this host:port (TLS still checks the name).
    const list = target.addresses.map((a) => bracket(a.address)).join(',')
    config.push(`http.curloptResolve=${target.host}:${target.port}:${list}`)
    return { config, repository, env }
  }
  // git:// and ssh:// carry no certificate to check against the name: connect to the address.
  const pinned = new URL(url.href)
  pinned.hostname = bracket(first.address)
  return { config, repository: pinned.href, env }
}

/** Checks a remote's host against the policy (resolving it); null for a local repository. */
export async function checkRemote(remote: GitRemote, policy: OutboundPolicy): Promise<CheckedTarget | null> {
  const hp = remoteHostPort(remote)
  return hp ? policy.resolveAndCheck(hp.host, hp.port) : null
}
