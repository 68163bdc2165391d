// How a git remote is classified (as git does) and how the clone is pinned to the checked address.
import { describe, expect, it } from 'vitest'
import type { CheckedTarget } from '../../net/outbound-policy.ts'
import { gitRemoteOf, pinnedClone } from './git-remote.ts'

const on = { allowLocal: true, allowSsh: true }
const target = (host: string, port: number, ...addresses: string[]): CheckedTarget => ({
  host,
  port,
  addresses: addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  allowedBy: null,
})

describe('git remotes', () => {
  it('tells URLs, scp-like ssh and local paths apart as git does', () => {
    expect(gitRemoteOf('https://h.example/r.git', on).kind).toBe('url')
    expect(gitRemoteOf('git@h.example:r.git', on)).toEqual({
      kind: 'scp',
      user: 'git',
      host: 'h.example',
      path: 'r.git',
    })
    expect(gitRemoteOf('h.example:r', on)).toMatchObject({ kind: 'scp', host: 'h.example' })
    for (const local of ['/srv/r', './r', 'dir/x:y', 'file:///srv/r'])
      expect(gitRemoteOf(local, on).kind, local).toBe('local')
    expect(() => gitRemoteOf('ext::sh -c id', on)).toThrow(/not a repository/)
    expect(() => gitRemoteOf('fd::3', { allowLocal: false, allowSsh: false })).toThrow(/ssh remotes are off/)
  })

  it('pins https through curl’s resolve list, and git:// and ssh to the address itself', () => {
    const https = pinnedClone(
      gitRemoteOf('https://h.example/r.git', on),
      'https://h.example/r.git',
      target('h.example', 443, '2606:4700::1', '93.184.216.34'),
      on,
    )
    expect(https.config).toContain('http.curloptResolve=h.example:443:[2606:4700::1],93.184.216.34')
    expect(https.config).toContain('http.followRedirects=false')
    expect(https.repository).toBe('https://h.example/r.git')
    const git = pinnedClone(
      gitRemoteOf('git://h.example/r.git', on),
      'git://h.example/r.git',
      target('h.example', 9418, '93.184.216.34'),
      on,
    )
    expect(git.repository).toBe('git://93.184.216.34/r.git')
    const scp = pinnedClone(
      gitRemoteOf('git@h.example:r.git', on),
      'git@h.example:r.git',
      target('h.example', 22, '93.184.216.34'),
      on,
    )
    expect(scp.repository).toBe('git@93.184.216.34:r.git')
    expect(scp.env['GIT_SSH_COMMAND']).toBe('ssh -o BatchMode=yes -o HostKeyAlias=h.example')
    const off = pinnedClone(gitRemoteOf('https://h.example/r.git', on), 'https://h.example/r.git', null, {
      allowLocal: false,
      allowSsh: false,
    })
    expect(off.env['GIT_ALLOW_PROTOCOL']).toBe('https:http:git')
    expect(off.config).not.toContain('protocol.ssh.allow=always')
  })
})
