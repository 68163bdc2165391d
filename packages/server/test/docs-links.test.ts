// Every relative link in README.md and docs/ points at a file that exists, and every #anchor at a
// heading of that page, under both GitHub's and VitePress's heading ids (the same pages are read
// on GitHub and on the docs site). The site build (`npm run docs`) checks pages but not anchors.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../../..')

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.')) return []
    const path = join(dir, e.name)
    return e.isDirectory() ? markdownFiles(path) : e.name.endsWith('.md') ? [path] : []
  })
}

const withoutCode = (md: string) => md.replace(/^```[\s\S]*?^```/gm, '')
const headingText = (h: string) =>
  h
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()

/** GitHub: lower case, punctuation dropped, each space a hyphen. */
const githubSlug = (h: string) =>
  headingText(h)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')

/** VitePress: runs of punctuation and spaces become one hyphen, trimmed at both ends. */
const vitepressSlug = (h: string) =>
  headingText(h)
    .toLowerCase()
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
    .replace(/^-+|-+$/g, '')

function anchorsOf(file: string): { github: Set<string>; vitepress: Set<string> } {
  const headings = [...withoutCode(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!)
  return { github: new Set(headings.map(githubSlug)), vitepress: new Set(headings.map(vitepressSlug)) }
}

describe('documentation links', () => {
  const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))]

  it('resolve to existing files and headings', () => {
    const broken: string[] = []
    for (const file of files) {
      const links = [...withoutCode(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)].map(
        (m) => m[1]!,
      )
      for (const link of links) {
        if (/^[a-z]+:/i.test(link)) continue
        const [path = '', anchor] = link.split('#')
        const target = path ? join(dirname(file), path) : file
        const where = `${relative(root, file)} → ${link}`
        if (!existsSync(target)) broken.push(`${where}: no such file`)
        else if (anchor && target.endsWith('.md')) {
          const { github, vitepress } = anchorsOf(target)
          if (!github.has(anchor) || !vitepress.has(anchor)) broken.push(`${where}: no such heading`)
        }
      }
    }
    expect(broken).toEqual([])
  })
})
