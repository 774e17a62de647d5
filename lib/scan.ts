// Streaming directory scans. readdirIter reads one directory in batches from a directory
// fd that a native object holds (crates/eio-node/src/requests/scan.rs), one pool request
// per batch. walk scans a whole tree natively: a native walk object keeps the frontier
// (the directories found and not yet read, with the fds needed to open them), and pool
// requests (up to `concurrency` in flight) each read directories from it until they have a
// batch of a few thousand entries. Entries are built from a batch only as they are
// yielded, and reading pauses while many wait for the consumer, so that neither scan holds
// a whole tree (or a whole huge directory) in memory.

import { availableParallelism } from 'node:os'

import { binding } from './native.js'
import type { DirStreamHandle, WalkHandle } from '../binding.js'
import { constants } from './constants.js'
import { cancelRequest, Out, requestOptions, track } from './engine.js'
import type { Opts, RequestOptions } from './engine.js'
import { abortError, errnoError, invalidArgType, invalidArgValue } from './errors.js'
import type { ErrnoException } from './errors.js'
import { joinPath, toPath } from './paths.js'
import type { PathLike } from './paths.js'
import type { Stats } from './stats.js'
import { isUnusableProxy, optionKeys, validateBoolean, validateEncoding, validateFunction, validateInteger, validateObject, validateOptionKeys } from './validators.js'
import type { OptionKeys } from './validators.js'
import { splitNames, statsAt } from './wire.js'
import type { TreeBatch } from './wire.js'

type Name = string | Buffer

const SLASH = 0x2f
const { DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK } = constants

/**
 * Options of readdirIter.
 *
 * @group Options and arguments
 */
export interface ReaddirIterOptions extends Omit<RequestOptions, 'group'> {
  /** Aborting stops the scan: the pending (or next) step rejects with an `AbortError`. */
  signal?: AbortSignal
  /** The pool priority of each directory read, `PRI_MIN` to `PRI_MAX`. */
  priority?: number
  /** 'buffer' gives names (and walk's paths) as Buffers, so that non-UTF-8 names survive. */
  encoding?: 'utf8' | 'buffer'
  /**
   * Give each entry `stats`, an `lstat` of it taken on the pool with the batch, relative to
   * the directory's fd (walk with `followSymlinks`: the target's). Default false.
   */
  stat?: boolean
}

/**
 * What every scan entry has: a `DT_*` `type` and `fs.Dirent`'s type tests (prototype methods).
 *
 * @group Results and errors
 */
export class ScanEntry {
  /** A `constants.DT_*`. */
  type: number

  /** @internal */
  constructor(type: number) {
    this.type = type
  }

  /** Whether the entry is a directory (`type === DT_DIR`). */
  isDirectory(): boolean { return this.type === DT_DIR }
  /** Whether the entry is a regular file. */
  isFile(): boolean { return this.type === DT_REG }
  /** Whether the entry is a symbolic link (never, for a followed link, with `followSymlinks`). */
  isSymbolicLink(): boolean { return this.type === DT_LNK }
  /** Whether the entry is a FIFO. */
  isFIFO(): boolean { return this.type === DT_FIFO }
  /** Whether the entry is a socket. */
  isSocket(): boolean { return this.type === DT_SOCK }
  /** Whether the entry is a character device. */
  isCharacterDevice(): boolean { return this.type === DT_CHR }
  /** Whether the entry is a block device. */
  isBlockDevice(): boolean { return this.type === DT_BLK }
}

/**
 * One entry of readdirIter: `type` is a `DT_*` as the filesystem reports it (`DT_UNKNOWN` where it does not).
 *
 * @group Results and errors
 */
export class ReaddirIterEntry<N extends string | Buffer = string> extends ScanEntry {
  /** The entry's name (a Buffer with `encoding: 'buffer'`). */
  name: N
  /** The entry's inode number. */
  ino: number
  /** Its `lstat`, with `stat: true` only. */
  declare stats?: Stats

  /** @internal */
  constructor(name: N, type: number, ino: number, stats: Stats | undefined) {
    super(type)
    this.name = name
    this.ino = ino
    if (stats !== undefined) this.stats = stats
  }
}

/**
 * How far a walk got, for `onProgress`.
 *
 * @group Results and errors
 */
export interface WalkProgress {
  /** Entries yielded so far. */
  entries: number
  /** The sizes (`stats.size`) of those entries summed, with `stat: true`; else 0. */
  bytes: number
}

/**
 * Options of walk.
 *
 * @group Options and arguments
 */
export interface WalkOptions<N extends string | Buffer = string> extends ReaddirIterOptions {
  /** Deepest level yielded: 0 yields only the root's own entries. Default: no limit. */
  maxDepth?: number
  /**
   * Follow symlinks: a link's `type` (and `stats`) are its target's, and links to
   * directories are descended, except a link leading back to a directory it is in (a
   * loop), which is yielded as `DT_LNK` and not entered. A dangling link stays `DT_LNK`.
   * Default false (symlinks are entries like any other).
   */
  followSymlinks?: boolean
  /** Pool requests in flight at most (default: twice the cores, from 4 to 16). */
  concurrency?: number
  /**
   * Directories yielded but not descended (fdir's `exclude`, Node's `fs.glob` `exclude`):
   * - an array of names (strings or Buffers): directories with one of these names; checked
   *   natively, so nothing below them is read and no JavaScript runs per directory;
   * - a function `(entry) => boolean`: called once for each directory entry that would be
   *   descended (not beyond `maxDepth`), as its batch arrives and before that directory is
   *   read; true leaves it unread. It runs ahead of the loop, synchronously; throwing ends
   *   the walk with what was thrown.
   */
  exclude?: readonly (string | Buffer)[] | ((entry: WalkEntry<N>) => boolean)
  /**
   * Called with the error of a subdirectory that cannot be read (or of an entry that
   * cannot be stat'ed): return normally to skip it, throw to end the walk with what was
   * thrown. Without it, the walk rejects with the error. An unreadable root always rejects.
   */
  onError?: (err: ErrnoException) => unknown
  /**
   * Called on the JS thread with `{ entries, bytes }` at most every ~100 ms while entries
   * are yielded, and once more when the walk ends (finished, left early or failed).
   */
  onProgress?: (progress: WalkProgress) => unknown
}

/**
 * One entry of walk. `path` is the root joined with `relativePath`, the entry's path below
 * the root; `parentPath` the directory it is in (as `fs.Dirent.parentPath`). `type` is a
 * `DT_*`, never `DT_UNKNOWN`; with `followSymlinks`, the target's (a dangling or loop link:
 * `DT_LNK`).
 *
 * @group Results and errors
 */
export class WalkEntry<N extends string | Buffer = string> extends ScanEntry {
  /** The root joined with the entry's path below it. */
  path: N
  /** The directory the entry is in: the root, or the root joined with a path below it. */
  parentPath: N
  /** The entry's path below the root (its name, for the root's own entries). */
  relativePath: N
  /** The entry's own name. */
  name: N
  /** 0 for the root's own entries. */
  depth: number
  /** With `stat: true`: its `lstat` (with `followSymlinks`, its target's). */
  declare stats?: Stats

  /** @internal */
  constructor(path: N, parentPath: N, relativePath: N, name: N, type: number, depth: number, stats: Stats | undefined) {
    super(type)
    this.path = path
    this.parentPath = parentPath
    this.relativePath = relativePath
    this.name = name
    this.depth = depth
    if (stats !== undefined) this.stats = stats
  }
}

/**
 * A walk entry with `stats` (`stat: true`).
 *
 * @group Results and errors
 */
export type WalkStatEntry<N extends string | Buffer = string> = WalkEntry<N> & {
  /** Its `lstat` (with `followSymlinks`, its target's). */
  stats: Stats
}

const SCAN_KEYS = ['signal', 'priority', 'group', 'encoding', 'stat']
const READDIR_ITER_KEYS = optionKeys('readdirIter', SCAN_KEYS)
const WALK_KEYS = optionKeys('walk', [...SCAN_KEYS, 'maxDepth', 'followSymlinks', 'concurrency', 'exclude', 'onError', 'onProgress'])

interface ScanOptions {
  opts: Opts
  buffers: boolean
  stat: boolean
  o: Record<string, unknown>
}

/** Validates the options shared by both scans; groups make no sense for an iterator. */
function scanOptions(options: unknown, known: OptionKeys): ScanOptions {
  const opts = requestOptions(options)
  if (opts.group !== undefined) {
    throw invalidArgValue('options.group', opts.group, 'is not supported by iterators')
  }
  const o = options == null ? {} : validateObject(options, 'options')
  validateOptionKeys(o, known)
  const stat = o.stat === undefined ? false : validateBoolean(o.stat, 'options.stat')
  return { opts, buffers: validateEncoding(o.encoding, 'options.encoding'), stat, o }
}

/** An iterator whose first step rejects with `err` (request functions never throw). */
async function* failing(err: unknown): AsyncGenerator<never> {
  throw err
}

function ignore(): void {}

/** The `Stats` of entry `i` of a batch, if it has them. */
function entryStats(stats: Float64Array | undefined, i: number): Stats | undefined {
  return stats === undefined ? undefined : statsAt(stats, i)
}

/**
 * Frees a consumed batch's numbers now (its entries copied what they need): left to the
 * collector, the `ArrayBuffer`s of a walk's consumed batches (144 bytes per entry with
 * stats) pile up outside V8's heap until a full collection.
 */
function release(b: TreeBatch): void {
  binding.scanRelease(b.inos, b.stats)
}


/**
 * The entries of the directory at `path`, `{ name, type, ino }` as `readdirx` with
 * `READDIR_DENTS` gives them (`type` a `DT_*`, possibly `DT_UNKNOWN`), with `fs.Dirent`'s
 * `isDirectory()`, `isFile()`... and, with `stat: true`, `stats` (an `lstat` taken on the
 * pool with the batch; an entry gone meanwhile is left out), without `.` and `..`, in the
 * directory's order. The directory is read in batches of a few thousand entries, one pool
 * request each, the next batch while the current one is consumed; a directory of millions
 * of entries never sits in memory whole. Leaving the loop early (`break`) closes the
 * directory. Errors (ENOENT, ENOTDIR, ...) reject the first step.
 *
 * @group Streaming scans
 */
export function readdirIter(path: PathLike, options?: ReaddirIterOptions & { encoding?: 'utf8' }): AsyncIterableIterator<ReaddirIterEntry<string>>
export function readdirIter(path: PathLike, options: ReaddirIterOptions & { encoding: 'buffer' }): AsyncIterableIterator<ReaddirIterEntry<Buffer>>
export function readdirIter(path: PathLike, options?: ReaddirIterOptions): AsyncIterableIterator<ReaddirIterEntry<string | Buffer>>
export function readdirIter(path: PathLike, options?: ReaddirIterOptions): AsyncIterableIterator<ReaddirIterEntry<string | Buffer>> {
  try {
    const { opts, buffers, stat } = scanOptions(options, READDIR_ITER_KEYS)
    const p = toPath(path)
    // Creating the stream opens nothing: the first batch does, on the pool.
    const stream = binding.scanOpen(p.dir, p.path)
    return readBatches(stream, opts, buffers, stat, p.display)
  } catch (err) {
    return failing(err)
  }
}

async function* readBatches(stream: DirStreamHandle, opts: Opts, buffers: boolean, stat: boolean, display: Name): AsyncGenerator<ReaddirIterEntry<Name>> {
  const signal = opts.signal
  let batch: Promise<unknown> | undefined
  const read = (): Promise<unknown> => {
    const p = track(binding.scanReadEntries(opts.priority, stream, stat, buffers), opts, Out.Value, 'readdir', display)
    // A read still in flight when the loop is left is cancelled; its rejection is expected.
    p.catch(ignore)
    return p
  }
  try {
    if (signal?.aborted) throw abortError(signal)
    batch = read()
    for (;;) {
      const b = (await batch) as TreeBatch
      // Read ahead while this batch is consumed.
      batch = b.end ? undefined : read()
      const names = splitNames(b.names)
      for (let i = 0; i < names.length; i++) {
        if (signal?.aborted) throw abortError(signal)
        yield new ReaddirIterEntry(names[i], b.types[i], b.inos[i], entryStats(b.stats, i))
      }
      release(b)
      if (b.end) return
    }
  } finally {
    stream.close()
    if (batch !== undefined) cancelRequest(batch)
  }
}

/** Unconsumed entries at which walk stops starting directory reads. */
const HIGH_WATER = 16384
/**
 * Entries after which a request stops taking directories: large enough that the cost of
 * a request vanishes, small enough that the tree spreads over the pool early and entries
 * arrive as a stream.
 */
const BUDGET = 2048
/**
 * Directory reads in flight by default. The JavaScript thread building the entries is
 * one consumer: on a cached tree, more readers than about twice the cores only take CPU
 * from it; cold trees on fast disks gain from raising `concurrency`.
 */
const DEFAULT_CONCURRENCY = Math.min(16, Math.max(4, 2 * availableParallelism()))
const MAX_CONCURRENCY = 1024
/** Least time between two `onProgress` calls, in milliseconds. */
const PROGRESS_EVERY = 100
/** Entries yielded between two looks at the clock for `onProgress`. */
const PROGRESS_CHECK = 256
const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined })

/**
 * Every entry below `root`, as `{ path, parentPath, relativePath, name, type, depth }` with
 * `fs.Dirent`'s `isDirectory()`, `isFile()`, `isSymbolicLink()`..., the tree read natively
 * on the pool (up to `concurrency` requests in flight, each reading a few thousand
 * entries' worth of directories) and streamed as it is read, not sorted. `path` is `root`
 * joined with `relativePath`, the entry's path below the root; `type` a `DT_*` (never
 * `DT_UNKNOWN`); `depth` 0 for the root's own entries. The root itself is not an entry (a
 * symlink as the root is followed). Directories are opened relative to their parent's fd,
 * so a tree of any depth is walked whole (paths longer than `PATH_MAX` included), with a
 * bounded number of open fds. `stat: true` gives each entry `stats`, taken on the pool in
 * the same batch; `exclude` leaves directories unread; `followSymlinks` follows links
 * (loops are not entered); `onProgress` reports how far it got. Reading pauses while many
 * entries wait for the consumer. Leaving the loop early (`break`) cancels the reads still
 * queued, discards those running and closes every fd. `encoding: 'buffer'` gives the
 * paths and names as Buffers, so that names that are not UTF-8 survive; as strings they
 * show U+FFFD, but such directories are still descended.
 *
 * @group Streaming scans
 */
export function walk(root: PathLike, options: WalkOptions<Buffer> & { encoding: 'buffer'; stat: true }): AsyncIterableIterator<WalkStatEntry<Buffer>>
export function walk(root: PathLike, options: WalkOptions<string> & { encoding?: 'utf8'; stat: true }): AsyncIterableIterator<WalkStatEntry<string>>
export function walk(root: PathLike, options?: WalkOptions<string> & { encoding?: 'utf8' }): AsyncIterableIterator<WalkEntry<string>>
export function walk(root: PathLike, options: WalkOptions<Buffer> & { encoding: 'buffer' }): AsyncIterableIterator<WalkEntry<Buffer>>
export function walk(root: PathLike, options?: WalkOptions<string> | WalkOptions<Buffer>): AsyncIterableIterator<WalkEntry<string | Buffer>>
export function walk(root: PathLike, options?: WalkOptions<string> | WalkOptions<Buffer>): AsyncIterableIterator<WalkEntry<string | Buffer>> {
  try {
    const { opts, buffers, stat, o } = scanOptions(options, WALK_KEYS)
    const maxDepth = o.maxDepth === undefined || o.maxDepth === Infinity ? -1 : validateInteger(o.maxDepth, 'options.maxDepth', 0)
    const follow = o.followSymlinks === undefined ? false : validateBoolean(o.followSymlinks, 'options.followSymlinks')
    const concurrency = o.concurrency === undefined ? DEFAULT_CONCURRENCY : validateInteger(o.concurrency, 'options.concurrency', 1, MAX_CONCURRENCY)
    const onError = o.onError === undefined ? undefined : (validateFunction(o.onError, 'options.onError') as (err: ErrnoException) => unknown)
    const onProgress = o.onProgress === undefined ? undefined : (validateFunction(o.onProgress, 'options.onProgress') as (p: WalkProgress) => unknown)
    const { names: excluded, predicate } = excludeOption(o.exclude)
    const p = toPath(root, 'root')
    const handle = binding.walkOpen(p.dir, p.path, follow, maxDepth, stat, excluded, predicate !== undefined)
    // A root given as a Buffer, walked with string names: its path as a string.
    const shown = buffers ? Buffer.from(p.display) : p.display.toString()
    return new Walker(handle, shown, { opts, buffers, stat, concurrency, onError, onProgress, predicate })
  } catch (err) {
    return failing(err)
  }
}

/** `exclude`: a list of names (for the binding) or a predicate. */
function excludeOption(value: unknown): { names: Buffer[]; predicate: ((entry: WalkEntry<Name>) => unknown) | undefined } {
  if (value === undefined) return { names: [], predicate: undefined }
  if (typeof value === 'function') return { names: [], predicate: value as (entry: WalkEntry<Name>) => unknown }
  if (!Array.isArray(value) || isUnusableProxy(value)) {
    throw invalidArgType('options.exclude', 'an array of names or a function', value)
  }
  const names = value.map((name: unknown, i) => {
    const n = `options.exclude[${i}]`
    let b: Buffer
    if (typeof name === 'string') b = Buffer.from(name)
    else if (name instanceof Uint8Array && !isUnusableProxy(name)) b = Buffer.from(name)
    else throw invalidArgType(n, 'of type string or an instance of Buffer', name)
    // A directory's name is never empty and holds neither '/' nor NUL.
    if (b.length === 0 || b.includes(SLASH) || b.includes(0)) throw invalidArgValue(n, name, 'must be a name without / or null bytes')
    return b
  })
  return { names, predicate: undefined }
}

/** What a walk was asked for, validated. */
interface WalkConfig {
  opts: Opts
  buffers: boolean
  stat: boolean
  concurrency: number
  onError: ((err: ErrnoException) => unknown) | undefined
  onProgress: ((p: WalkProgress) => unknown) | undefined
  predicate: ((entry: WalkEntry<Name>) => unknown) | undefined
}

/** `dir` + '/', without doubling a trailing slash (a root of '/' or 'a/'). */
function withSlash(dir: Name): Name {
  if (typeof dir === 'string') return dir.length > 0 && dir.charCodeAt(dir.length - 1) === SLASH ? dir : `${dir}/`
  return dir.length > 0 && dir[dir.length - 1] === SLASH ? dir : Buffer.concat([dir, Buffer.of(SLASH)])
}

function concat(a: Name, b: Name): Name {
  return typeof a === 'string' ? a + (b as string) : Buffer.concat([a, b as Buffer])
}

/**
 * One delivered batch and how far it was consumed. Entries are built from it one at a
 * time as they are yielded (or all at once when a predicate must see them first), so that
 * they die young unless the consumer keeps them.
 */
class Batch {
  readonly count: number
  readonly #wire: TreeBatch
  readonly #root: Name
  readonly #rootSlash: Name
  readonly #dirs: Name[]
  /** The next entry to build, its place in `names`, and its directory. */
  #i = 0
  #at = 0
  #dir = -1
  #left = 0
  #depth = 0
  #parent: Name = ''
  #prefix: Name = ''
  #relPrefix: Name = ''
  /** All entries, built ahead for a predicate; else null. */
  #built: WalkEntry<Name>[] | null = null

  constructor(wire: TreeBatch, root: Name, rootSlash: Name) {
    this.#wire = wire
    this.#root = root
    this.#rootSlash = rootSlash
    this.#dirs = splitNames(wire.dirs)
    this.count = wire.types.length
  }

  get done(): boolean {
    return this.#i === this.count
  }

  get wire(): TreeBatch {
    return this.#wire
  }

  /** Builds every entry now (for a predicate); `next()` then hands them out. */
  buildAll(): WalkEntry<Name>[] {
    const all: WalkEntry<Name>[] = new Array(this.count)
    for (let k = 0; k < this.count; k++) all[k] = this.#build()
    this.#i = 0
    this.#built = all
    return all
  }

  /** The next entry; the caller checks `done` first. */
  next(): WalkEntry<Name> {
    if (this.#built !== null) return this.#built[this.#i++]
    return this.#build()
  }

  #build(): WalkEntry<Name> {
    const w = this.#wire
    if (this.#left === 0) this.#enterDir()
    this.#left--
    const i = this.#i++
    let name: Name
    if (typeof w.names === 'string') {
      const end = w.names.indexOf('\0', this.#at)
      name = w.names.slice(this.#at, end)
      this.#at = end + 1
    } else {
      const end = w.names.indexOf(0, this.#at)
      name = w.names.subarray(this.#at, end)
      this.#at = end + 1
    }
    const rel = this.#relPrefix.length === 0 ? name : concat(this.#relPrefix, name)
    return new WalkEntry(concat(this.#prefix, name), this.#parent, rel, name, w.types[i], this.#depth, entryStats(w.stats, i))
  }

  #enterDir(): void {
    const d = ++this.#dir
    const info = this.#wire.dirInfo
    this.#depth = info[2 * d]
    this.#left = info[2 * d + 1]
    const rel = this.#dirs[d]
    if (rel.length === 0) {
      this.#parent = this.#root
      this.#prefix = this.#rootSlash
      this.#relPrefix = typeof rel === 'string' ? '' : Buffer.alloc(0)
    } else {
      this.#parent = concat(this.#rootSlash, rel)
      this.#prefix = withSlash(this.#parent)
      this.#relPrefix = withSlash(rel)
    }
  }
}

/** A walk failed at this point of the entry stream: entries before it are yielded first. */
class Failure {
  constructor(readonly error: unknown) {}
}

interface Waiter {
  resolve: (r: IteratorResult<WalkEntry<Name>>) => void
  reject: (err: unknown) => void
}

/** The walk's iterator: a producer of directory reads and a queue of batches. */
class Walker implements AsyncIterableIterator<WalkEntry<Name>> {
  // Consumer side: the batch being yielded, and those (or a failure) behind it.
  #batch: Batch | null = null
  #queue: (Batch | Failure)[] = []
  #head = 0
  /** Entries not yet yielded, in `#batch` and `#queue`. */
  #buffered = 0
  #waiters: Waiter[] = []
  /** The next step rejects with this (an abort, or a callback throwing). */
  #failure: Failure | null = null
  /** The consumer has seen the end, a failure, or left: nothing more is yielded. */
  #over = false

  // Producer side.
  readonly #handle: WalkHandle
  #inflight = new Set<Promise<unknown>>()
  /** No more reads: finished, failed, aborted, or left early. */
  #halted = false
  readonly #root: Name
  readonly #rootSlash: Name
  readonly #config: WalkConfig
  readonly #signal: AbortSignal | undefined
  #onAbort: (() => void) | undefined

  // Progress.
  #entries = 0
  #bytes = 0
  #lastProgress = 0

  constructor(handle: WalkHandle, root: Name, config: WalkConfig) {
    this.#handle = handle
    this.#root = root
    this.#rootSlash = withSlash(root)
    this.#config = config
    const signal = config.opts.signal
    this.#signal = signal
    if (config.onProgress !== undefined) this.#lastProgress = performance.now()
    if (signal?.aborted) {
      this.#halt()
      this.#failure = new Failure(abortError(signal))
      return
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.#fail(abortError(signal))
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    // The root is read when the first entry is asked for (its path was resolved above).
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<IteratorResult<WalkEntry<Name>>> {
    const b = this.#batch
    if (b !== null && !b.done && this.#waiters.length === 0) {
      const entry = b.next()
      this.#buffered--
      if (this.#config.onProgress !== undefined && !this.#counted(entry)) return this.#step()
      return Promise.resolve({ value: entry, done: false })
    }
    if (this.#waiters.length > 0) return this.#wait()
    return this.#step()
  }

  return(): Promise<IteratorResult<WalkEntry<Name>>> {
    if (!this.#over) {
      this.#over = true
      this.#halt()
      this.#drop()
      this.#failure = null
      this.#settleWaiters()
      const err = this.#finalProgress()
      if (err !== undefined) return Promise.reject(err.error)
    }
    return Promise.resolve(DONE)
  }

  /** Counts `entry` for onProgress; false if onProgress threw (the walk has failed). */
  #counted(entry: WalkEntry<Name>): boolean {
    this.#entries++
    if (entry.stats !== undefined) this.#bytes += entry.stats.size
    if (this.#entries % PROGRESS_CHECK !== 0) return true
    const now = performance.now()
    if (now - this.#lastProgress < PROGRESS_EVERY) return true
    this.#lastProgress = now
    try {
      this.#config.onProgress!({ entries: this.#entries, bytes: this.#bytes })
      return true
    } catch (err) {
      this.#fail(err)
      return false
    }
  }

  /** The last onProgress call; what it threw, if it did. */
  #finalProgress(): Failure | undefined {
    const onProgress = this.#config.onProgress
    if (onProgress === undefined) return undefined
    this.#config.onProgress = undefined
    try {
      onProgress({ entries: this.#entries, bytes: this.#bytes })
      return undefined
    } catch (err) {
      return new Failure(err)
    }
  }

  /** The current batch is used up: the next entry, the end, a failure, or a wait. */
  #step(): Promise<IteratorResult<WalkEntry<Name>>> {
    const r = this.#take()
    if (r === undefined) return this.#wait()
    if (r instanceof Failure) return Promise.reject(r.error)
    return Promise.resolve(r)
  }

  /** Moves to the next entry; undefined when none is ready yet. */
  #take(): IteratorResult<WalkEntry<Name>> | Failure | undefined {
    for (;;) {
      const b = this.#batch
      if (this.#failure === null && b !== null && !b.done) {
        const entry = b.next()
        this.#buffered--
        if (this.#config.onProgress !== undefined && !this.#counted(entry)) continue
        return { value: entry, done: false }
      }
      if (this.#failure !== null) {
        const f = this.#failure
        this.#failure = null
        return this.#end(f)
      }
      if (b !== null) {
        this.#batch = null
        release(b.wire)
        this.#pump()
      }
      if (this.#head < this.#queue.length) {
        const next = this.#queue[this.#head++]
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head)
          this.#head = 0
        }
        if (next instanceof Failure) {
          this.#halt()
          this.#drop()
          return this.#end(next)
        }
        this.#batch = next
        continue
      }
      if (!this.#halted && this.#inflight.size === 0) this.#pump()
      if (this.#halted || this.#inflight.size === 0) {
        this.#halt()
        return this.#end(DONE)
      }
      return undefined
    }
  }

  /** The walk is over with `result`: onProgress gets the totals (what it throws rejects a walk that had not failed). */
  #end(result: IteratorResult<WalkEntry<Name>> | Failure): IteratorResult<WalkEntry<Name>> | Failure {
    this.#over = true
    const thrown = this.#finalProgress()
    return result instanceof Failure ? result : (thrown ?? result)
  }

  #wait(): Promise<IteratorResult<WalkEntry<Name>>> {
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  /** Hands ready entries (or the end) to waiting `next()` calls, in order. */
  #settleWaiters(): void {
    while (this.#waiters.length > 0) {
      const r = this.#over && this.#failure === null ? DONE : this.#take()
      if (r === undefined) return
      const w = this.#waiters.shift()!
      if (r instanceof Failure) w.reject(r.error)
      else w.resolve(r)
    }
  }

  /** Starts directory reads while there is room and something to read. */
  #pump(): void {
    while (
      !this.#halted &&
      this.#inflight.size < this.#config.concurrency &&
      this.#buffered < HIGH_WATER &&
      this.#handle.pending() > 0
    ) {
      this.#read()
    }
  }

  #read(): void {
    const { opts, buffers } = this.#config
    const id = binding.walkRead(opts.priority, this.#handle, BUDGET, buffers)
    // Signals are handled here, for the walk as a whole, not by each read.
    const p = track(id, { priority: opts.priority, signal: undefined, group: undefined }, Out.Value, 'scandir', this.#root)
    this.#inflight.add(p)
    p.then(
      (res) => this.#onRead(p, res as TreeBatch),
      (err) => this.#onReadError(p, err),
    )
  }

  #onRead(p: Promise<unknown>, wire: TreeBatch): void {
    if (!this.#inflight.delete(p)) return // left early: the result is discarded
    const batch = new Batch(wire, this.#root, this.#rootSlash)
    const ok = wire.hold === 0 || this.#admit(batch)
    if (ok && batch.count > 0) {
      this.#queue.push(batch)
      this.#buffered += batch.count
    }
    if (ok && wire.errors !== undefined) {
      for (const [rel, errno, syscall] of wire.errors) {
        if (!this.#entryError(errnoError(errno, syscall, joinPath(this.#root, rel, this.#config.buffers)))) break
      }
    }
    this.#pump()
    this.#settleWaiters()
  }

  /**
   * Lets the directories the batch found and did not read join the walk's frontier (they
   * wait until now, so that a directory always comes before what is in it), asking the
   * predicate about each first if there is one. False if the predicate threw.
   */
  #admit(batch: Batch): boolean {
    const held = batch.wire.held
    if (held === undefined) {
      this.#handle.admit(batch.wire.hold)
      return true
    }
    const entries = batch.buildAll()
    const verdicts = new Uint8Array(held.length)
    try {
      for (let k = 0; k < held.length; k++) verdicts[k] = this.#config.predicate!(entries[held[k]]) ? 0 : 1
    } catch (err) {
      this.#halt()
      this.#queue.push(batch, new Failure(err))
      this.#buffered += batch.count
      return false
    }
    this.#handle.admit(batch.wire.hold, verdicts)
    return true
  }

  #onReadError(p: Promise<unknown>, err: unknown): void {
    if (!this.#inflight.delete(p)) return // left early: cancelled or discarded
    // Errors below the root come in batches: a failed read is the root, or worse.
    this.#halt()
    this.#queue.push(new Failure(err))
    this.#settleWaiters()
  }

  /**
   * Something below the root could not be read: skip it if onError returns normally,
   * else end the walk with the error (after the entries read before it). False if the
   * walk ends.
   */
  #entryError(err: ErrnoException): boolean {
    const onError = this.#config.onError
    let failure: unknown = err
    if (onError !== undefined) {
      try {
        onError(err)
        return true
      } catch (thrown) {
        failure = thrown
      }
    }
    this.#halt()
    this.#queue.push(new Failure(failure))
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
    this.#handle.close()
  }

  /** Frees the entries not yet yielded. */
  #drop(): void {
    if (this.#batch !== null) release(this.#batch.wire)
    for (let i = this.#head; i < this.#queue.length; i++) {
      const b = this.#queue[i]
      if (b instanceof Batch) release(b.wire)
    }
    this.#batch = null
    this.#queue = []
    this.#head = 0
    this.#buffered = 0
  }
}
