// Typed usage from an ES module: named imports of every kind of export, request
// signatures and results, options, errors, constants, `using` on a Wd and `await using`
// on an AsyncGroup. Checked by
// `npm run test:types` (tsc --noEmit); never run.

import eio, { constants, CWD, open, close, read, write, stat, lstat, readdir, mkdir, rename, wd, Wd, Stats, AbortError, configure, nreqs, flush } from 'io-aio'
import { group, AsyncGroup, nop, unlink, statvfs, utime, lutime, chmod, load, copy, rmtree, mmap, munmap } from 'io-aio'
import type { Constants, ErrnoException, PathLike, RequestOptions, PoolOptions, NamesOptions } from 'io-aio'

export async function example(dir: string): Promise<void> {
  // Constants are precise: a misspelt name does not compile.
  const flags: number = constants.O_RDWR | constants.O_CREAT
  const all: Readonly<Constants> = constants
  // @ts-expect-error: not a constant
  void constants.O_RWDR
  void all.PRI_MAX

  const options: RequestOptions = { priority: constants.PRI_MAX, signal: AbortSignal.timeout(1000) }
  const fd: number = await open(`${dir}/f`, flags, 0o644, options)
  const written: number = await write(fd, 0, undefined, 'hello')
  const buffer = Buffer.alloc(5)
  const got: number = await read(fd, 0, 5, buffer, 0)
  await close(fd)
  void written
  void got

  const st: Stats = await stat(`${dir}/f`)
  const isFile: boolean = st.isFile()
  const size: number = st.size
  void isFile
  void size
  await lstat(dir)

  const names: string[] = await readdir(dir)
  const raw: Buffer[] = await readdir(dir, { encoding: 'buffer' } satisfies NamesOptions)
  void names
  void raw
  await mkdir(`${dir}/sub`, 0o755)
  await rename(`${dir}/sub`, `${dir}/sub2`)

  // Working directories: `using` closes the fd at the end of the block.
  {
    using here: Wd = await wd(dir)
    const p: PathLike = [here, 'f']
    await stat(p)
    const where: string = here.path
    void where
  }
  await stat([CWD, '.'])

  // Groups: `await using` cancels what is left and waits for it at the end of the block.
  {
    await using grp: AsyncGroup = group({ limit: 2 })
    grp.add(stat(dir), nop())
    await grp
  }
  const names2 = ['x', 'y']
  await group({
    limit: 2,
    feed(g) {
      const name = names2.pop()
      if (name !== undefined) g.add(unlink(`${dir}/${name}`))
    },
  })

  // Other families.
  const vfs = await statvfs(dir)
  const bsize: number = vfs.bsize
  void bsize
  await utime(`${dir}/f`, null, null)
  await utime(`${dir}/f`, 1_700_000_000_123_456_789n, new Date())
  await lutime(`${dir}/f`, 1.5, 2)
  await chmod(`${dir}/f`, 0o600)
  const data: Buffer = await load(`${dir}/f`)
  void data
  await copy(`${dir}/f`, `${dir}/g`)
  await rmtree(`${dir}/sub2`)
  const mapping: Buffer = mmap(constants.PAGESIZE, constants.PROT_READ, constants.MAP_PRIVATE | constants.MAP_ANONYMOUS)
  munmap(mapping)

  try {
    await stat('/nonexistent')
  } catch (e) {
    const err = e as ErrnoException
    const code: string | undefined = err.code
    void code
    if (e instanceof AbortError) throw e
  }

  const pool: PoolOptions = { maxParallel: 4, idleTimeout: 10 }
  configure(pool)
  const outstanding: number = nreqs()
  void outstanding
  await flush()

  // The default export is the same module.
  const same: typeof stat = eio.stat
  void same
}
