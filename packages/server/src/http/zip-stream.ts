// A small streaming zip writer (deflate, UTF-8 names, no zip64): one file is read and
// compressed at a time, so memory stays at one file however many there are. Enough for run
// artifacts, which are capped well below zip64's 4 GB.
import { readFile } from 'node:fs/promises'
import { crc32, deflateRawSync } from 'node:zlib'

export interface ZipEntry {
  /** Name inside the archive (forward slashes). */
  name: string
  /** Host path of the file. */
  path: string
  modified: Date
}

function dosTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear())
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  }
}

/** The zip archive of `entries`, chunk by chunk. */
export async function* zipStream(entries: ZipEntry[]): AsyncGenerator<Buffer> {
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const data = await readFile(e.path)
    const compressed = deflateRawSync(data)
    // Incompressible files are stored as they are.
    const stored = compressed.length >= data.length
    const body = stored ? data : compressed
    const name = Buffer.from(e.name, 'utf8')
    const { time, date } = dosTime(e.modified)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // names are UTF-8
    local.writeUInt16LE(stored ? 0 : 8, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const header = Buffer.alloc(46)
    header.writeUInt32LE(0x02014b50, 0)
    header.writeUInt16LE(20, 4)
    header.writeUInt16LE(20, 6)
    local.copy(header, 8, 6, 28) // flags .. name length are the same fields
    header.writeUInt32LE(offset, 42)
    central.push(header, name)
    yield Buffer.concat([local, name])
    yield body
    offset += local.length + name.length + body.length
  }
  const cd = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  yield cd
  yield end
}
