// How JSON columns are written and read: text in both dialects, SQL NULL as JSON null.
import type { Json } from './storage.ts'

export const json = (v: unknown): string => JSON.stringify(v ?? null)
export const parse = <T = Json>(v: string | null): T => (v === null ? (null as T) : (JSON.parse(v) as T))
