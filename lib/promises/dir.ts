// Dir: a directory open for reading, as node:fs's `Dir` (`opendir`). Entries are read in
// batches of a few thousand by eio requests on one open directory (the stream behind
// `readdirIter`), so that a huge directory never sits in memory whole; `read()` hands them
// out one `fs.Dirent` at a time. Operations run one after another, as Node's do: a read
// or close issued while a read is in flight waits for it, and the synchronous
// `readSync()`/`closeSync()` refuse to run then (`ERR_DIR_CONCURRENT_OPERATION`).
//
// With `recursive`, each directory met is read after the ones before it (breadth first),
// all of its entries (Node 20 reads only the first `bufferSize` entries of each
// subdirectory).

import { Dir as NodeDir, lstatSync } from 'node:fs'
import type { Dirent } from 'node:fs'

import { binding } from '../native.js'
import type { DirStreamHandle } from '../../binding.js'
import { Out, request, track } from '../engine.js'
import { errnoError, invalidArgType } from '../errors.js'
import { toPath } from '../paths.js'
import { getOptions, getValidatedPath, validateUint32 } from './args.js'
import type { Options, PathLike } from './args.js'
import { settle } from './call.js'
import { DT_DIR, DT_UNKNOWN, direntOf, joinPath, resolveUnknown } from './dirent.js'
import { dirClosed, dirConcurrentOperation } from './errors.js'
import { encodeName, wantsBuffer } from './names.js'

/** The options of `opendir`. */
export interface OpenDirOptions {
  /** How names are returned: a string encoding (default 'utf8'), or 'buffer'. */
  encoding?: BufferEncoding | 'buffer' | null
  /** Entries Node buffers per read (checked as Node checks it; eio reads larger batches). */
  bufferSize?: number
  /** Also yields the entries of every subdirectory (breadth first). */
  recursive?: boolean
}

/** What a batch read completes with (see `scanReadBatch`): NUL-separated names, `[type, ino]` pairs, the end. */
type Batch = [string | Buffer, Float64Array, boolean]

/** One directory being read. */
interface Source {
  stream: DirStreamHandle
  /** Its path as entries show it (`Dirent.parentPath`). */
  path: string | Buffer
  /** A batch already read (the first, at opening), not yet unpacked. */
  batch: Batch | undefined
  end: boolean
}

function ignore(): void {}

type Callback<T> = (err: Error | null, value?: T) => void

/** Opens `path` as a readdirIter stream and reads its first batch (errors show here). */
async function openSource(path: string | Buffer, buffers: boolean): Promise<Source> {
  const stream = binding.scanOpen(null, toPath(path).path)
  try {
    const batch = await settle(readBatch(stream, buffers, path))
    return { stream, path, batch, end: false }
  } catch (err) {
    stream.close()
    throw err
  }
}

function readBatch(stream: DirStreamHandle, buffers: boolean, display: string | Buffer): Promise<Batch> {
  return request(undefined, (o) => track<Batch>(binding.scanReadBatch(o.priority, stream, buffers), o, Out.Value, 'opendir', display))
}

/**
 * A directory open for reading (what `opendir` fulfils with): `read()` the next
 * `fs.Dirent` (null at the end), iterate it with `for await`, `close()` it. `dir instanceof
 * fs.Dir` holds.
 */
export class Dir {
  #path: string | Buffer
  #encoding: BufferEncoding | 'buffer'
  #recursive: boolean
  #buffers: boolean
  #current: Source | undefined
  /** Subdirectories still to read (recursive). */
  #pending: (string | Buffer)[] = []
  #entries: Dirent[] = []
  #closed = false
  /** Operations queued or in flight: the synchronous methods refuse to run meanwhile. */
  #inflight = 0
  /** Settles when the last queued operation has: the next one starts after it. */
  #tail: Promise<unknown> = Promise.resolve()

  /** @internal */
  constructor(source: Source, path: string | Buffer, encoding: BufferEncoding | 'buffer', recursive: boolean) {
    this.#current = source
    this.#path = path
    this.#encoding = encoding
    this.#recursive = recursive
    this.#buffers = wantsBuffer(encoding)
  }

  /** The path given to `opendir`. */
  get path(): string | Buffer {
    return this.#path
  }

  /** Entries of a batch, as Dirents; unknown types are looked up (asynchronously, or `resolve` gives them). */
  #unpack(source: Source, [names, meta, end]: Batch, unknown: (name: string | Buffer) => number | Promise<number>): Promise<void> | void {
    source.end = end
    const count = meta.length / 2
    const list: (string | Buffer)[] =
      typeof names === 'string' ? names.split('\0', count) : splitBuffer(names, count)
    const lookups: Promise<void>[] = []
    for (let i = 0; i < count; i++) {
      const name = encodeName(list[i], this.#encoding)
      const dt = meta[2 * i]
      if (dt !== DT_UNKNOWN) {
        this.#push(name, dt, source.path)
        continue
      }
      const index = this.#entries.length
      this.#entries.push(undefined as unknown as Dirent) // its place, filled below
      const typed = (t: number) => {
        this.#entries[index] = direntOf(name, t, source.path)
        if (t === DT_DIR && this.#recursive) this.#pending.push(joinPath(source.path, name))
      }
      const t = unknown(list[i])
      if (typeof t === 'number') typed(t)
      else lookups.push(t.then(typed))
    }
    if (lookups.length > 0) return Promise.all(lookups).then(() => {})
  }

  #push(name: string | Buffer, dt: number, parent: string | Buffer): void {
    this.#entries.push(direntOf(name, dt, parent))
    if (dt === DT_DIR && this.#recursive) this.#pending.push(joinPath(parent, name))
  }

  /** Fills the buffer from the current source, then the next pending directory; false at the end. */
  async #fill(): Promise<boolean> {
    while (this.#entries.length === 0) {
      const source = this.#current
      if (source === undefined) {
        const next = this.#pending.shift()
        if (next === undefined) return false
        this.#current = await openSource(next, this.#buffers)
        continue
      }
      const batch = source.batch ?? (source.end ? undefined : await settle(readBatch(source.stream, this.#buffers, source.path)))
      source.batch = undefined
      if (batch === undefined) {
        source.stream.close()
        this.#current = undefined
        continue
      }
      await this.#unpack(source, batch, (name) => resolveUnknown(source.path, name))
    }
    return true
  }

  /** The same, without waiting: for `readSync`. */
  #fillSync(): boolean {
    while (this.#entries.length === 0) {
      const source = this.#current
      if (source === undefined) return this.#pending.length === 0 ? false : this.#openPendingSync()
      let batch = source.batch
      source.batch = undefined
      if (batch === undefined && !source.end) {
        const got = binding.scanReadBatchSync(source.stream, this.#buffers)
        if (typeof got === 'number') throw errnoError(-got, 'readdir', source.path)
        batch = got as Batch
      }
      if (batch === undefined) {
        source.stream.close()
        this.#current = undefined
        continue
      }
      void this.#unpack(source, batch, (name) => lstatTypeSync(source.path, name))
    }
    return true
  }

  #openPendingSync(): boolean {
    const next = this.#pending.shift()!
    const stream = binding.scanOpen(null, toPath(next).path)
    const first = binding.scanReadBatchSync(stream, this.#buffers)
    if (typeof first === 'number') {
      stream.close()
      throw errnoError(-first, 'opendir', next)
    }
    this.#current = { stream, path: next, batch: first as Batch, end: false }
    return this.#fillSync()
  }

  /**
   * Runs `op` after the operations before it (Node's operation queue). The promise
   * returned settles only once the count is down again, so that code resuming after it
   * may use the synchronous methods.
   */
  #serial<T>(op: () => Promise<T>): Promise<T> {
    this.#inflight++
    const run = this.#tail.then(op).finally(() => {
      this.#inflight--
    })
    this.#tail = run.then(ignore, ignore)
    return run
  }

  /**
   * The next entry (a `fs.Dirent`), or null at the end. With a callback, calls it
   * instead of returning a promise. Throws `ERR_DIR_CLOSED` on a closed Dir.
   */
  read(): Promise<Dirent | null>
  read(callback: Callback<Dirent | null>): void
  read(callback?: Callback<Dirent | null>): Promise<Dirent | null> | void {
    if (this.#closed) throw dirClosed()
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback)
    const next = this.#serial(async () => ((await this.#fill()) ? this.#entries.shift()! : null))
    if (callback === undefined) return next
    next.then((dirent) => callback(null, dirent), (err) => callback(err))
  }

  /** The next entry, read synchronously; null at the end. */
  readSync(): Dirent | null {
    if (this.#closed) throw dirClosed()
    if (this.#inflight > 0) throw dirConcurrentOperation()
    return this.#fillSync() ? this.#entries.shift()! : null
  }

  /**
   * Closes the directory (after a read in flight). With a callback, calls it instead of
   * returning a promise. A closed Dir rejects (or calls back) with `ERR_DIR_CLOSED`.
   */
  close(): Promise<void>
  close(callback: (err: Error | null) => void): void
  close(callback?: (err: Error | null) => void): Promise<void> | void {
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback)
    if (this.#closed) {
      if (callback === undefined) return Promise.reject(dirClosed())
      process.nextTick(callback, dirClosed())
      return
    }
    const closed = this.#serial(async () => {
      this.#closed = true
      this.#release()
    })
    if (callback === undefined) return closed
    closed.then(() => callback(null), callback)
  }

  /** Closes the directory now; `ERR_DIR_CONCURRENT_OPERATION` while a read is in flight. */
  closeSync(): void {
    if (this.#closed) throw dirClosed()
    if (this.#inflight > 0) throw dirConcurrentOperation()
    this.#closed = true
    this.#release()
  }

  #release(): void {
    this.#current?.stream.close()
    this.#current = undefined
    this.#pending = []
    this.#entries = []
  }

  /** Every remaining entry; the Dir is closed when the loop ends, however it ends. */
  async *entries(): AsyncGenerator<Dirent, void, undefined> {
    try {
      for (;;) {
        const dirent = await this.read()
        if (dirent === null) break
        yield dirent
      }
    } finally {
      if (!this.#closed) await this.close()
    }
  }

  /** `for await (const dirent of dir)`: see `entries()`. */
  [Symbol.asyncIterator](): AsyncGenerator<Dirent, void, undefined> {
    return this.entries()
  }
}

// `dir instanceof fs.Dir` holds, as for node:fs/promises' Dir.
Object.setPrototypeOf(Dir.prototype, NodeDir.prototype)

/** The first `count` NUL-terminated names in `names`. */
function splitBuffer(names: Buffer, count: number): Buffer[] {
  const out: Buffer[] = new Array(count)
  for (let i = 0, at = 0; i < count; i++) {
    const nul = names.indexOf(0, at)
    out[i] = names.subarray(at, nul)
    at = nul + 1
  }
  return out
}

/** The `DT_*` type of an entry by a synchronous lstat (for `readSync`, as Node's `getDirent`). */
function lstatTypeSync(parent: string | Buffer, name: string | Buffer): number {
  return (lstatSync(joinPath(parent, name)).mode & 0o170000) >> 12
}

/**
 * Opens the directory at `path` for reading: fulfils with a `Dir` once the directory
 * is open and its first entries are read (`ENOENT`, `ENOTDIR`, `EACCES` reject here).
 */
export async function opendir(path: PathLike, options?: OpenDirOptions): Promise<Dir> {
  const p = getValidatedPath(path)
  const o: Options = { bufferSize: 32, ...getOptions(options, { encoding: 'utf8' }) }
  validateUint32(o.bufferSize, 'options.bufferSize', true)
  const encoding = (o.encoding ?? 'utf8') as BufferEncoding | 'buffer'
  const source = await openSource(p, wantsBuffer(encoding))
  return new Dir(source, p, encoding, o.recursive === true)
}
