// io-aio/promises type-checks as a drop-in for node:fs/promises: a program written against
// Node's types compiles with only the import changed, and gets Node's types back (Stats,
// Dirent, Buffer or string by encoding...). Checked by `npm run test:types`; never run.

import fs, { constants, open, readFile, readdir, stat } from 'io-aio/promises'
import type { FileHandle } from 'io-aio/promises'
import type { Dirent, Stats, StatsFs } from 'node:fs'
import type { Interface } from 'node:readline'

export async function program(dir: string): Promise<number> {
  const text: string = await readFile(`${dir}/a.txt`, 'utf8')
  const bytes: Buffer = await readFile(`${dir}/a.txt`)
  const viaOptions: string = await fs.readFile(`${dir}/a.txt`, { encoding: 'utf8', signal: AbortSignal.timeout(1000) })
  await fs.writeFile(`${dir}/b.txt`, text, { mode: 0o644, flag: 'w', flush: true })
  await fs.writeFile(`${dir}/c.txt`, [Buffer.from('a'), 'b'])
  await fs.appendFile(`${dir}/b.txt`, bytes)
  await fs.copyFile(`${dir}/a.txt`, `${dir}/d.txt`, constants.COPYFILE_EXCL)

  const names: string[] = await readdir(dir)
  const raw: Buffer[] = await readdir(dir, { encoding: 'buffer' })
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true })
  const all: string[] = await readdir(dir, { recursive: true })
  const st: Stats = await stat(dir)
  const isDir: boolean = st.isDirectory() && entries[0].isFile()
  const fsStats: StatsFs = await fs.statfs(dir)
  const link: string = await fs.readlink(`${dir}/link`)
  const real: Buffer = await fs.realpath(dir, 'buffer')
  const temp: string = await fs.mkdtemp(`${dir}/tmp-`)
  await fs.access(dir, constants.R_OK | constants.W_OK)
  await fs.chmod(temp, 0o700)
  await fs.utimes(temp, new Date(), Date.now() / 1000)
  await fs.rename(temp, `${dir}/renamed`)
  await fs.rm(`${dir}/renamed`, { recursive: true, force: true })
  void [bytes, viaOptions, names, raw, all, isDir, fsStats, link, real]

  const fh: FileHandle = await open(`${dir}/a.txt`, 'r+')
  const { bytesRead, buffer } = await fh.read(Buffer.alloc(16), 0, 16, 0)
  const viaObject = await fh.read({ buffer: Buffer.alloc(4), position: 0 })
  const { bytesWritten } = await fh.write('hello', 0, 'utf8')
  await fh.writev([Buffer.from('a'), Buffer.from('b')])
  const contents: string = await fh.readFile('utf8')
  const size: number = (await fh.stat()).size
  const lines: Interface = fh.readLines()
  fh.createReadStream({ start: 0, end: 3 }).on('data', (chunk) => void chunk)
  await fh.sync()
  const again: Buffer = await fs.readFile(fh)
  await fs.writeFile(fh, 'appended')
  await fh.close()
  void [buffer.length, viaObject.bytesRead, contents, lines, again]
  {
    await using scoped = await open(`${dir}/a.txt`)
    void scoped.fd
  }

  for await (const entry of await fs.opendir(dir)) void entry.name
  return bytesRead + bytesWritten + size
}
