// Streaming directory scans. readdirIter reads one directory in batches from a directory
// fd that a native object holds (crates/eio-node/src/requests/scan.rs), one pool request
// per batch. walk scans a whole tree on the pool: each request reads a directory and,
// depth first, those below it until it has read BUDGET entries, and hands back the
// directories it did not reach, which further requests (up to `concurrency` in flight)
// take on. Entries are streamed while later directories are read, and reading pauses
// while too many wait for the consumer, so that neither scan holds a whole tree (or a
// whole huge directory, for readdirIter) in memory.

import { availableParallelism } from 'node:os'

import { binding } from './native.js'
import type { DirStreamHandle, WdHandle } from '../binding.js'
import { cancelRequest, Out, requestOptions, track } from './engine.js'
import type { Opts, RequestOptions } from './engine.js'
import { abortError, errnoError, invalidArgValue } from './errors.js'
import type { ErrnoException } from './errors.js'
import { joinPath, toPath } from './paths.js'
import type { NativePath, PathLike } from './paths.js'
import { validateBoolean, validateEncoding, validateFunction, validateInteger, validateObject } from './validators.js'

const SLASH = 0x2f

/**
 * Options of readdirIter.
 *
 * @group Options and arguments
 */
export interface ReaddirIterOptions {
  /** Aborting stops the scan: the pending (or next) step rejects with an `AbortError`. */
  signal?: AbortSignal
  /** The pool priority of each directory read, `PRI_MIN` to `PRI_MAX`. */
  priority?: number
  /** 'buffer' gives names (and walk's paths) as Buffers, so that non-UTF-8 names survive. */
  encoding?: 'utf8' | 'buffer'
}

/**
 * One entry of readdirIter: `type` is a `DT_*` as the filesystem reports it.
 *
 * @group Results and errors
 */
export interface ReaddirIterEntry<Name = string> {
  /** The entry's name (a Buffer with `encoding: 'buffer'`). */
  name: Name
  /** `constants.DT_*` as the filesystem reports it (`DT_UNKNOWN` where it does not). */
  type: number
  /** The entry's inode number. */
  ino: number
}

/**
 * Options of walk.
 *
 * @group Options and arguments
 */
export interface WalkOptions extends ReaddirIterOptions {
  /** Deepest level yielded: 0 yields only the root's own entries. Default: no limit. */
  maxDepth?: number
  /** Descend into symlinks to directories (loops are detected and not entered). Default false. */
  followSymlinks?: boolean
  /** Pool requests in flight at most (default: twice the cores, from 4 to 16). */
  concurrency?: number
  /**
   * Called with the error of a subdirectory that cannot be read: return normally to skip
   * that directory, throw to end the walk with what was thrown. Without it, the walk
   * rejects with the error. An unreadable root always rejects.
   */
  onError?: (err: ErrnoException) => unknown
}

/**
 * One entry of walk: `path` is the root joined with the entry's path below it.
 *
 * @group Results and errors
 */
export interface WalkEntry<Path = string> {
  /** The root joined with the entry's path below it. */
  path: Path
  /** The entry's own name. */
  name: Path
  /** A `DT_*`, never `DT_UNKNOWN` (such entries are `lstat`ed). */
  type: number
  /** 0 for the root's own entries. */
  depth: number
}

type Name = string | Buffer

/** Validates the options shared by both scans; groups make no sense for an iterator. */
function scanOptions(options: unknown): { opts: Opts; buffers: boolean; o: Record<string, unknown> } {
  const opts = requestOptions(options)
  if (opts.group !== undefined) {
    throw invalidArgValue('options.group', opts.group, 'is not supported by iterators')
  }
  const o = options == null ? {} : validateObject(options, 'options')
  return { opts, buffers: validateEncoding(o.encoding, 'options.encoding'), o }
}

/** An iterator whose first step rejects with `err` (request functions never throw). */
async function* failing(err: unknown): AsyncGenerator<never> {
  throw err
}

function ignore(): void {}

/**
 * The entries of the directory at `path`, `{ name, type, ino }` as `readdirx` with
 * `READDIR_DENTS` gives them (`type` a `DT_*`, possibly `DT_UNKNOWN`), without `.` and
 * `..`, in the directory's order. The directory is read in batches of a few thousand
 * entries, one pool request each, the next batch while the current one is consumed; a
 * directory of millions of entries never sits in memory whole. Leaving the loop early
 * (`break`) closes the directory. Errors (ENOENT, ENOTDIR, ...) reject the first step.
 *
 * @group Streaming scans
 */
export function readdirIter(path: PathLike, options?: ReaddirIterOptions & { encoding?: 'utf8' }): AsyncIterableIterator<ReaddirIterEntry<string>>
export function readdirIter(path: PathLike, options: ReaddirIterOptions & { encoding: 'buffer' }): AsyncIterableIterator<ReaddirIterEntry<Buffer>>
export function readdirIter(path: PathLike, options?: ReaddirIterOptions): AsyncIterableIterator<ReaddirIterEntry<Name>>
export function readdirIter(path: PathLike, options?: ReaddirIterOptions): AsyncIterableIterator<ReaddirIterEntry<Name>> {
  try {
    const { opts, buffers } = scanOptions(options)
    const p = toPath(path)
    // Creating the stream opens nothing: the first batch does, on the pool.
    const stream = binding.scanOpen(p.dir, p.path)
    return readBatches(stream, opts, buffers, p.display)
  } catch (err) {
    return failing(err)
  }
}

async function* readBatches(stream: DirStreamHandle, opts: Opts, buffers: boolean, display: Name): AsyncGenerator<ReaddirIterEntry<Name>> {
  const signal = opts.signal
  let batch: Promise<unknown> | undefined
  const read = (): Promise<unknown> => {
    const p = track(binding.scanReadBatch(opts.priority, stream, buffers), opts, Out.Value, 'readdir', display)
    // A read still in flight when the loop is left is cancelled; its rejection is expected.
    p.catch(ignore)
    return p
  }
  try {
    if (signal?.aborted) throw abortError(signal)
    batch = read()
    for (;;) {
      const [names, meta, end] = (await batch) as [Name, Float64Array, boolean]
      // Read ahead while this batch is consumed.
      batch = end ? undefined : read()
      const count = meta.length / 2
      if (typeof names === 'string') {
        const list = names.split('\0')
        for (let i = 0; i < count; i++) {
          if (signal?.aborted) throw abortError(signal)
          yield { name: list[i], type: meta[2 * i], ino: meta[2 * i + 1] }
        }
      } else {
        for (let i = 0, at = 0; i < count; i++) {
          if (signal?.aborted) throw abortError(signal)
          const nul = names.indexOf(0, at)
          yield { name: names.subarray(at, nul), type: meta[2 * i], ino: meta[2 * i + 1] }
          at = nul + 1
        }
      }
      if (end) return
    }
  } finally {
    stream.close()
    if (batch !== undefined) cancelRequest(batch)
  }
}

/** A directory waiting to be read, with the directories below it that fit a request. */
interface DirNode {
  /** The path the binding opens: absolute, or relative to the walk's Wd. */
  native: Name
  /** The path its entries' paths start with (the root as the caller gave it). */
  shown: Name
  /** The depth of its entries. */
  depth: number
  /** Reached through a symlink (followSymlinks): it may turn out not to be a directory. */
  link: boolean
  /** The identities of the directories it was reached through (followSymlinks only). */
  ancestors: Float64Array
}

/**
 * What one tree read returns (crates/eio-core/src/ops/scan.rs, `TreeOut`): the
 * directories read (relative to the one asked for), `[depth, count]` of each, all their
 * entries' names (each followed by a NUL, in one string or Buffer) and types, the directories left for other requests (as Buffers) with
 * `[depth, isLink, n, ...4n identity numbers]` each, and `[path, errno, step]` of each
 * directory that could not be read.
 */
type TreeResult = [Name[], Float64Array, Name, Float64Array, Buffer[], Float64Array, [Name, number, number][]]

/** The syscall of a `TreeStep` (Node reports directory reads as `scandir`). */
const STEP_SYSCALL = ['scandir', 'lstat', 'fstat']

/** A walk failed at this point of the entry stream: entries before it are yielded first. */
class Failure {
  constructor(readonly error: unknown) {}
}

interface Waiter {
  resolve: (r: IteratorResult<WalkEntry<Name>>) => void
  reject: (err: unknown) => void
}

/** Unconsumed entries at which walk stops starting directory reads. */
const HIGH_WATER = 16384
/**
 * Entries after which a request stops opening further directories and hands the rest
 * back: large enough that the cost of a request vanishes, small enough that the tree
 * spreads over the pool early and entries arrive as a stream.
 */
const BUDGET = 2048
const NO_ANCESTORS = new Float64Array(0)
/**
 * Directory reads in flight by default. The JavaScript thread building the entries is
 * one consumer: on a cached tree, more readers than about twice the cores only take CPU
 * from it (measured on 2 cores: 4 was fastest, 16 half as fast); cold trees on fast
 * disks gain from raising `concurrency`.
 */
const DEFAULT_CONCURRENCY = Math.min(16, Math.max(4, 2 * availableParallelism()))
const MAX_CONCURRENCY = 1024
const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined })
const NO_ENTRIES: WalkEntry<Name>[] = []

/**
 * Every entry below `root`, as `{ path, name, type, depth }`, the tree scanned in
 * parallel on the pool (up to `concurrency` requests in flight, each reading a few
 * thousand entries' worth of directories) and streamed as they are read, not sorted.
 * `path` is `root` joined with the entry's path below it; `type` a `DT_*` (never
 * `DT_UNKNOWN`); `depth` 0 for the root's own entries. The root itself is not an entry
 * (a symlink as the root is followed). Reading pauses while many entries wait for the
 * consumer. Leaving the loop early (`break`) cancels the reads still queued and
 * discards those running. `encoding: 'buffer'` gives `path` and `name` as Buffers, so
 * that names that are not UTF-8 survive; as strings they show U+FFFD, but such
 * directories are still descended.
 *
 * @group Streaming scans
 */
export function walk(root: PathLike, options?: WalkOptions & { encoding?: 'utf8' }): AsyncIterableIterator<WalkEntry<string>>
export function walk(root: PathLike, options: WalkOptions & { encoding: 'buffer' }): AsyncIterableIterator<WalkEntry<Buffer>>
export function walk(root: PathLike, options?: WalkOptions): AsyncIterableIterator<WalkEntry<Name>>
export function walk(root: PathLike, options?: WalkOptions): AsyncIterableIterator<WalkEntry<Name>> {
  try {
    const { opts, buffers, o } = scanOptions(options)
    const maxDepth = o.maxDepth === undefined || o.maxDepth === Infinity ? Infinity : validateInteger(o.maxDepth, 'options.maxDepth', 0)
    const follow = o.followSymlinks === undefined ? false : validateBoolean(o.followSymlinks, 'options.followSymlinks')
    const concurrency = o.concurrency === undefined ? DEFAULT_CONCURRENCY : validateInteger(o.concurrency, 'options.concurrency', 1, MAX_CONCURRENCY)
    const onError = o.onError === undefined ? undefined : validateFunction(o.onError, 'options.onError')
    const p = toPath(root, 'root')
    return new Walker(p, opts, buffers, maxDepth, follow, concurrency, onError)
  } catch (err) {
    return failing(err)
  }
}

/** `dir` + '/', without doubling a trailing slash (a root of '/' or 'a/'). */
function withSlash(dir: Name, buffers: boolean): Name {
  if (buffers) {
    const b = typeof dir === 'string' ? Buffer.from(dir) : dir
    return b.length > 0 && b[b.length - 1] === SLASH ? b : Buffer.concat([b, Buffer.of(SLASH)])
  }
  // A root given as a Buffer, walked with string names: its path as a string.
  const s = typeof dir === 'string' ? dir : dir.toString()
  return s.length > 0 && s.charCodeAt(s.length - 1) === SLASH ? s : `${s}/`
}

/** The entry objects of one tree read, with string paths: one loop, one object each. */
function stringEntries(node: DirNode, dirs: Name[], dirMeta: Float64Array, names: string[], types: Float64Array): WalkEntry<Name>[] {
  const chunk: WalkEntry<Name>[] = new Array(types.length)
  const base = withSlash(node.shown, false) as string
  for (let d = 0, i = 0; d < dirs.length; d++) {
    const rel = dirs[d] as string
    const prefix = rel.length === 0 ? base : `${base}${rel}/`
    const depth = dirMeta[2 * d]
    for (const end = i + dirMeta[2 * d + 1]; i < end; i++) {
      const name = names[i]
      chunk[i] = { path: prefix + name, name, type: types[i], depth }
    }
  }
  return chunk
}

/** As `stringEntries`, with Buffer paths and names (views of `names`). */
function bufferEntries(node: DirNode, dirs: Name[], dirMeta: Float64Array, names: Buffer, types: Float64Array): WalkEntry<Name>[] {
  const chunk: WalkEntry<Name>[] = new Array(types.length)
  let at = 0
  const base = withSlash(node.shown, true) as Buffer
  for (let d = 0, i = 0; d < dirs.length; d++) {
    const rel = dirs[d] as Buffer
    const prefix = rel.length === 0 ? base : Buffer.concat([base, rel, Buffer.of(SLASH)])
    const depth = dirMeta[2 * d]
    for (const end = i + dirMeta[2 * d + 1]; i < end; i++) {
      const end = names.indexOf(0, at)
      const name = names.subarray(at, end)
      at = end + 1
      chunk[i] = { path: Buffer.concat([prefix, name]), name, type: types[i], depth }
    }
  }
  return chunk
}

/** The walk's iterator: a producer of directory reads and a queue of entry chunks. */
class Walker implements AsyncIterableIterator<WalkEntry<Name>> {
  // Consumer side: the chunk being yielded, and the chunks (one per directory) behind it.
  #chunk: WalkEntry<Name>[] = NO_ENTRIES
  #pos = 0
  #queue: (WalkEntry<Name>[] | Failure)[] = []
  #head = 0
  /** Entries in `#chunk` and `#queue`, consumed or not (a chunk counts until it is done). */
  #buffered = 0
  #waiters: Waiter[] = []
  /** The next step rejects with this (an abort, or onError throwing). */
  #failure: Failure | null = null
  /** The consumer has seen the end, a failure, or left: nothing more is yielded. */
  #over = false

  // Producer side.
  #frontier: DirNode[] = []
  #inflight = new Set<Promise<unknown>>()
  /** No more reads: finished, failed, aborted, or left early. */
  #halted = false
  readonly #dir: WdHandle | null
  readonly #opts: Opts
  readonly #root: DirNode
  readonly #buffers: boolean
  readonly #maxDepth: number
  readonly #follow: boolean
  readonly #concurrency: number
  readonly #onError: ((err: ErrnoException) => unknown) | undefined
  readonly #signal: AbortSignal | undefined
  #onAbort: (() => void) | undefined

  constructor(
    p: NativePath,
    opts: Opts,
    buffers: boolean,
    maxDepth: number,
    follow: boolean,
    concurrency: number,
    onError: ((err: ErrnoException) => unknown) | undefined,
  ) {
    this.#dir = p.dir
    // Signals are handled here, for the walk as a whole, not by each read.
    this.#opts = { priority: opts.priority, signal: undefined, group: undefined }
    this.#buffers = buffers
    this.#maxDepth = maxDepth
    this.#follow = follow
    this.#concurrency = concurrency
    this.#onError = onError
    const shown = buffers && typeof p.display === 'string' ? Buffer.from(p.display) : p.display
    const native = buffers && typeof p.path === 'string' ? Buffer.from(p.path) : p.path
    this.#root = { native, shown, depth: 0, link: false, ancestors: NO_ANCESTORS }
    const signal = opts.signal
    this.#signal = signal
    if (signal?.aborted) {
      this.#halted = true
      this.#failure = new Failure(abortError(signal))
      return
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.#fail(abortError(signal))
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    // The root is read when the first entry is asked for (its path was resolved above).
    this.#frontier.push(this.#root)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<WalkEntry<Name>>> {
    if (this.#pos < this.#chunk.length) return Promise.resolve({ value: this.#chunk[this.#pos++], done: false })
    if (this.#waiters.length > 0) return this.#wait()
    return this.#step()
  }

  return(): Promise<IteratorResult<WalkEntry<Name>>> {
    this.#over = true
    this.#halt()
    this.#drop()
    this.#failure = null
    this.#settleWaiters()
    return Promise.resolve(DONE)
  }

  /** The current chunk is used up: the next entry, the end, a failure, or a wait. */
  #step(): Promise<IteratorResult<WalkEntry<Name>>> {
    const r = this.#take()
    if (r === undefined) return this.#wait()
    if (r instanceof Failure) return Promise.reject(r.error)
    return Promise.resolve(r)
  }

  /** Moves to the next entry; undefined when none is ready yet. */
  #take(): IteratorResult<WalkEntry<Name>> | Failure | undefined {
    if (this.#pos < this.#chunk.length) return { value: this.#chunk[this.#pos++], done: false }
    if (this.#chunk !== NO_ENTRIES) {
      this.#buffered -= this.#chunk.length
      this.#chunk = NO_ENTRIES
      this.#pos = 0
      this.#pump()
    }
    if (this.#failure !== null) {
      const f = this.#failure
      this.#failure = null
      this.#over = true
      return f
    }
    while (this.#head < this.#queue.length) {
      const c = this.#queue[this.#head++]
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head)
        this.#head = 0
      }
      if (c instanceof Failure) {
        this.#drop()
        this.#over = true
        return c
      }
      this.#chunk = c
      this.#pos = 1
      return { value: c[0], done: false }
    }
    if (this.#frontier.length > 0 && this.#inflight.size === 0 && !this.#halted) this.#pump()
    if (this.#halted || (this.#inflight.size === 0 && this.#frontier.length === 0)) {
      this.#over = true
      this.#halt()
      return DONE
    }
    return undefined
  }

  #wait(): Promise<IteratorResult<WalkEntry<Name>>> {
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  /** Hands ready entries (or the end) to waiting `next()` calls, in order. */
  #settleWaiters(): void {
    while (this.#waiters.length > 0) {
      const r = this.#take()
      if (r === undefined) return
      const w = this.#waiters.shift()!
      if (r instanceof Failure) w.reject(r.error)
      else w.resolve(r)
    }
  }

  /** Starts directory reads while there is room. */
  #pump(): void {
    while (
      !this.#halted &&
      this.#inflight.size < this.#concurrency &&
      this.#frontier.length > 0 &&
      this.#buffered < HIGH_WATER
    ) {
      // Last in, first out: depth first, so that the frontier stays small.
      this.#read(this.#frontier.pop()!)
    }
  }

  #read(node: DirNode): void {
    const maxDepth = this.#maxDepth === Infinity ? -1 : this.#maxDepth
    const id = binding.scanReadTree(
      this.#opts.priority,
      this.#dir,
      node.native,
      this.#follow || node === this.#root,
      node.link,
      this.#follow,
      node.depth,
      maxDepth,
      node.ancestors,
      BUDGET,
      this.#buffers,
    )
    const p = track(id, this.#opts, Out.Value, 'scandir', node.shown)
    this.#inflight.add(p)
    p.then(
      (res) => this.#onRead(p, node, res as TreeResult),
      (err) => this.#onReadError(p, node, err),
    )
  }

  #onRead(p: Promise<unknown>, node: DirNode, res: TreeResult): void {
    if (!this.#inflight.delete(p)) return // left early: the result is discarded
    const [dirs, dirMeta, names, types, pending, pendingMeta, errors] = res
    if (types.length > 0) {
      this.#queue.push(
        this.#buffers
          ? bufferEntries(node, dirs, dirMeta, names as Buffer, types)
          : stringEntries(node, dirs, dirMeta, (names as string).split('\0'), types),
      )
      this.#buffered += types.length
    }
    for (let i = 0, m = 0; i < pending.length; i++) {
      const n = pendingMeta[m + 2]
      this.#frontier.push({
        native: joinPath(node.native, pending[i], true),
        shown: joinPath(node.shown, pending[i], this.#buffers),
        depth: pendingMeta[m],
        link: pendingMeta[m + 1] === 1,
        ancestors: pendingMeta.subarray(m + 3, m + 3 + 4 * n),
      })
      m += 3 + 4 * n
    }
    for (const [rel, errno, step] of errors) {
      if (!this.#dirError(errnoError(errno, STEP_SYSCALL[step], joinPath(node.shown, rel, this.#buffers)), false)) break
    }
    this.#pump()
    this.#settleWaiters()
  }

  #onReadError(p: Promise<unknown>, node: DirNode, err: unknown): void {
    if (!this.#inflight.delete(p)) return // left early: cancelled or discarded
    this.#dirError(err, node === this.#root)
    this.#pump()
    this.#settleWaiters()
  }

  /**
   * A directory could not be read: skip it if onError returns normally, else end the
   * walk with the error (after the entries read before it). False if the walk ends.
   */
  #dirError(err: unknown, isRoot: boolean): boolean {
    if (!isRoot && this.#onError !== undefined) {
      try {
        this.#onError(err as ErrnoException)
        return true
      } catch (thrown) {
        err = thrown
      }
    }
    this.#halt()
    this.#queue.push(new Failure(err))
    return false
  }

  /** Ends the walk now: the pending (or next) step rejects with `err`. */
  #fail(err: unknown): void {
    if (this.#over) return
    this.#halt()
    this.#drop()
    this.#failure = new Failure(err)
    this.#settleWaiters()
  }

  /** Stops reading: queued reads are cancelled, running ones discarded when they end. */
  #halt(): void {
    if (this.#onAbort !== undefined) {
      this.#signal!.removeEventListener('abort', this.#onAbort)
      this.#onAbort = undefined
    }
    if (this.#halted) return
    this.#halted = true
    const reads = [...this.#inflight]
    this.#inflight.clear()
    for (const p of reads) cancelRequest(p)
    this.#frontier = []
  }

  /** Frees the entries not yet yielded. */
  #drop(): void {
    this.#chunk = NO_ENTRIES
    this.#pos = 0
    this.#queue = []
    this.#head = 0
    this.#buffered = 0
  }
}
