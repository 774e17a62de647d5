// The wire: how results travel from the binding to JavaScript. The mirror of
// crates/eio-node/src/wire.rs, which documents the format and how to add a result type;
// these two files are the only ones that know it. The engine (engine.ts) takes each
// completion's record and asks `decode` (or `failure`) for the value it settles with.

import type { WdHandle } from '../binding.js'
import type { DirentType } from './constants.js'
import { errnoError, internalError, invalidState } from './errors.js'
import { joinPath } from './paths.js'
import { BigIntStats, Stats } from './stats.js'
import { Wd } from './wd.js'

/** Numbers per completion record: `[slot, tag, a, b]`. */
export const RECORD = 4
/** Where a batch's records start (the slots before are for results answered now). */
export const RECORDS_AT = 32
/** Where a result answered during the call that made the request is (a cached stat). */
const NOW_AT = 0
/** What a request function of the binding returns instead of a slot when it answered now. */
export const ANSWERED_NOW = 0xffffffff

/** What a record is, and so what `a` and `b` mean: the `Tag` of wire.rs. */
export const enum Tag {
  Undefined = 0,
  Number = 1,
  BigInt = 2,
  Extra = 3,
  Stat = 4,
  BigStat = 5,
  Readdirx = 6,
  Scandir = 7,
  Wd = 8,
  StatVfs = 9,
  Extents = 10,
  StatFs = 11,
  Counts = 12,
  TreeBatch = 13,
  StatList = 14,
  /** Tags from here are failures. */
  Errno = 16,
  Aborted = 17,
  Panic = 18,
  Detached = 19,
  Unconvertible = 20,
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** The wire buffer, as doubles; set by `attach`. */
export let f64: Float64Array = new Float64Array(0)
/** The same bytes as exact signed and unsigned 64-bit integers. */
let i64: BigInt64Array = new BigInt64Array(0)
let u64: BigUint64Array = new BigUint64Array(0)

/** Takes the binding's wire buffer (at start-up, and should it ever be replaced). */
export function attach(view: Float64Array): void {
  if (view === f64) return
  f64 = view
  i64 = new BigInt64Array(view.buffer, view.byteOffset, view.length)
  u64 = new BigUint64Array(view.buffer, view.byteOffset, view.length)
}

/** A u64 as a number, or a bigint where a number would not be exact. */
function unsigned(v: bigint): number | bigint {
  return v <= MAX_SAFE ? Number(v) : v
}

/** Numbers per stat: the wire's stat record (`STAT_FIELDS` in wire.rs). */
const STAT_FIELDS = 18

/** The `Stats` whose fields are at data slot `at` of the batch (a `Tag.Stat` record's `a`). */
export function stats(at: number): Stats {
  return statsIn(f64, at)
}

/** The `Stats` of entry `i` of a batch's stats (see `TreeBatch`). */
export function statsAt(v: Float64Array, i: number): Stats {
  return statsIn(v, i * STAT_FIELDS)
}

function statsIn(v: Float64Array, at: number): Stats {
  return new Stats(
    v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4], v[at + 5], v[at + 6], v[at + 7], v[at + 8], v[at + 9],
    v[at + 10], v[at + 11], v[at + 12], v[at + 13], v[at + 14], v[at + 15], v[at + 16], v[at + 17],
  )
}

function bigIntStats(at: number): BigIntStats {
  return bigIntStatsIn(i64, at)
}

/** The `BigIntStats` of entry `i` of a stat list's fields (see `StatList`). */
export function bigIntStatsAt(v: BigInt64Array, i: number): BigIntStats {
  return bigIntStatsIn(v, i * STAT_FIELDS)
}

function bigIntStatsIn(v: BigInt64Array, at: number): BigIntStats {
  // dev and ino are unsigned 64-bit numbers.
  return new BigIntStats(
    BigInt.asUintN(64, v[at]), v[at + 1], v[at + 2], v[at + 3], v[at + 4], v[at + 5], v[at + 6], BigInt.asUintN(64, v[at + 7]), v[at + 8], v[at + 9],
    v[at + 10], v[at + 11], v[at + 12], v[at + 13], v[at + 14], v[at + 15], v[at + 16], v[at + 17],
  )
}

/** The stat the binding answered during the call that just returned. */
export function statNow(bigint: boolean): Stats | BigIntStats {
  return bigint ? bigIntStats(NOW_AT) : stats(NOW_AT)
}

/**
 * What `statvfs` fulfils with: `struct statvfs`, field for field.
 *
 * @group Results and errors
 */
export interface StatVfs {
  /** Filesystem block size. */
  bsize: number
  /** Fragment size: the unit of `blocks`, `bfree` and `bavail`. */
  frsize: number
  /** Size of the filesystem, in `frsize` units. */
  blocks: number
  /** Free blocks. */
  bfree: number
  /** Free blocks available to unprivileged users. */
  bavail: number
  /** Inodes. */
  files: number
  /** Free inodes. */
  ffree: number
  /** Free inodes available to unprivileged users. */
  favail: number
  /** Filesystem ID (a bigint where it exceeds 2**53). */
  fsid: number | bigint
  /** `ST_*` flags. */
  flag: number
  /** Maximum length of a file name. */
  namemax: number
}

const STATVFS_KEYS = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax'] as const

function statVfs(at: number): StatVfs {
  const out = Object.create(null) as Record<string, number | bigint>
  for (let i = 0; i < STATVFS_KEYS.length; i++) out[STATVFS_KEYS[i]] = unsigned(u64[at + i])
  return out as unknown as StatVfs
}

/**
 * What the `statfs` request gives: `[type, bsize, blocks, bfree, bavail, files, ffree]`,
 * each a number, or a bigint beyond 2**53 (io-aio/promises makes Node's `StatFs` of it).
 */
export type StatFsFields = (number | bigint)[]

function statFs(at: number): StatFsFields {
  const out: StatFsFields = new Array(7)
  for (let i = 0; i < 7; i++) out[i] = unsigned(u64[at + i])
  return out
}

/**
 * One extent of `fiemap`'s result; a field is a bigint only beyond 2**53.
 *
 * @group Results and errors
 */
export interface FiemapExtent {
  /** Byte offset of the extent in the file. */
  logical: number | bigint
  /** Byte offset of the extent on the device. */
  physical: number | bigint
  /** Length of the extent in bytes. */
  length: number | bigint
  /** `FIEMAP_EXTENT_*` flags. */
  flags: number
}

function extents(count: number, words: BigUint64Array): FiemapExtent[] {
  const out: FiemapExtent[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const w = 4 * i
    out[i] = { logical: unsigned(words[w]), physical: unsigned(words[w + 1]), length: unsigned(words[w + 2]), flags: Number(words[w + 3]) }
  }
  return out
}

/**
 * A directory entry as `readdirx` returns it with `READDIR_DENTS`.
 *
 * @group Results and errors
 */
export interface ReaddirxEntry<N = string> {
  /** The entry's name (a Buffer with `encoding: 'buffer'`). */
  name: N
  /** `constants.DT_*`; `DT_UNKNOWN` (0) where the filesystem does not say. */
  type: DirentType
  /** The entry's inode number. */
  ino: number
}

/**
 * What `readdirx` fulfils with.
 *
 * @group Results and errors
 */
export interface ReaddirxResult<N = string> {
  /** Names, or with `READDIR_DENTS` `{ name, type, ino }` objects; no `.` or `..`. */
  entries: N[] | ReaddirxEntry<N>[]
  /**
   * The flags asked for, plus `READDIR_DENTS` (always, as IO::AIO), plus
   * `READDIR_FOUND_UNKNOWN` if some entry's type was `DT_UNKNOWN`.
   */
  flags: number
}

function readdirx(flags: number, names: (string | Buffer)[], meta: Float64Array | undefined): ReaddirxResult<string | Buffer> {
  // The types and inodes came only if asked for (flags always report READDIR_DENTS).
  if (meta === undefined) return { entries: names, flags }
  const entries: ReaddirxEntry<string | Buffer>[] = new Array(names.length)
  for (let i = 0; i < names.length; i++) entries[i] = { name: names[i], type: meta[2 * i] as DirentType, ino: meta[2 * i + 1] }
  return { entries, flags }
}

/**
 * A batch of a directory scan (walk, readdirIter), decoded lazily by lib/scan.ts: names
 * and directory paths are each followed by a NUL in one string (or Buffer).
 */
export interface TreeBatch {
  /** Every entry's name, each followed by a NUL. */
  names: string | Buffer
  /** Their `DT_*` types. */
  types: Buffer
  /** Their inodes. */
  inos: Float64Array
  /** The paths below the root of the directories the entries are in, each followed by a NUL. */
  dirs: string | Buffer
  /** `[depth, entries]` of each directory: its entries come next, in order. */
  dirInfo: Float64Array
  /** With `stat`: each entry's stats (see `statsAt`). */
  stats: Float64Array | undefined
  /** Indexes of the entries (directories) held for a verdict, named by `hold`. */
  held: Float64Array | undefined
  hold: number
  /** What failed below the root: `[path below the root, errno, syscall]`. */
  errors: [Buffer, number, string][] | undefined
  /** The scan has nothing more to give (readdirIter: the directory ended). */
  end: boolean
}

function treeBatch(at: number, e: unknown[], b: number): TreeBatch {
  return {
    names: e[b] as string | Buffer,
    types: e[b + 1] as Buffer,
    inos: e[b + 2] as Float64Array,
    dirs: e[b + 3] as string | Buffer,
    dirInfo: e[b + 4] as Float64Array,
    stats: e[b + 5] as Float64Array | undefined,
    held: e[b + 6] as Float64Array | undefined,
    hold: f64[at],
    errors: e[b + 7] as [Buffer, number, string][] | undefined,
    end: f64[at + 1] === 1,
  }
}

/**
 * The results of a stat of many paths, decoded lazily by lib/stat-many.ts: each path's
 * fields (see `statsAt`, `bigIntStatsAt`), zeros for a path that failed.
 */
export interface StatList {
  /** The number of paths. */
  count: number
  /** `STAT_FIELDS` numbers per path: exact integers when the request asked for bigints. */
  fields: Float64Array | BigInt64Array
  /** Each path's errno (0: it succeeded); `undefined` when none failed. */
  errnos: Int32Array | undefined
}

/**
 * The names of a NUL-terminated list (a tree batch's `names` or `dirs`), as strings or
 * as Buffers viewing the list's bytes.
 */
export function splitNames<N extends string | Buffer>(names: N): N[] {
  if (typeof names === 'string') return names.split('\0').slice(0, -1) as N[]
  const out: Buffer[] = []
  for (let at = 0; at < names.length; ) {
    const end = (names as Buffer).indexOf(0, at)
    out.push((names as Buffer).subarray(at, end))
    at = end + 1
  }
  return out as N[]
}

/**
 * The value a successful record carries (`tag` below `Tag.Errno`); `extras` is the
 * batch's array of values that are not numbers.
 */
export function decode(tag: number, a: number, b: number, extras: unknown[] | undefined): unknown {
  switch (tag) {
    case Tag.Undefined:
      return undefined
    case Tag.Number:
      return a
    case Tag.BigInt:
      return i64[a]
    case Tag.Extra:
      return extras![b]
    case Tag.Stat:
      return stats(a)
    case Tag.BigStat:
      return bigIntStats(a)
    case Tag.Readdirx:
      return readdirx(a, extras![b] as (string | Buffer)[], extras![b + 1] as Float64Array | undefined)
    case Tag.Scandir:
      return { dirs: extras![b], nondirs: extras![b + 1] }
    case Tag.Wd:
      return new Wd(extras![b] as WdHandle, extras![b + 1] as string)
    case Tag.StatVfs:
      return statVfs(a)
    case Tag.Extents:
      return extents(a, extras![b] as BigUint64Array)
    case Tag.StatFs:
      return statFs(a)
    case Tag.TreeBatch:
      return treeBatch(a, extras!, b)
    case Tag.Counts:
      return { entries: a, bytes: b }
    case Tag.StatList:
      return { count: a, fields: extras![b], errnos: extras![b + 1] } as StatList
  }
  throw internalError(`eio: unknown result tag ${tag}`)
}

/**
 * The error a failed record carries (`tag` from `Tag.Errno`, except `Tag.Aborted`, which
 * the engine handles); `syscall`, `path` and `dest` describe the request.
 */
export function failure(tag: number, a: number, b: number, extras: unknown[] | undefined, syscall: string, path: unknown, dest: unknown): Error {
  switch (tag) {
    case Tag.Errno: {
      const names = b >= 0 ? extras![b] : undefined
      if (Array.isArray(names)) {
        // [syscall | undefined, subpath]: the error names an entry below `path` (and
        // below `dest`, for the two-path requests: copy and move).
        const [step, sub] = names as [string | undefined, Buffer]
        const below = (base: unknown) => joinPath(base as string | Buffer, sub, Buffer.isBuffer(base))
        return errnoError(a, step ?? syscall, below(path), dest === undefined ? undefined : below(dest))
      }
      return errnoError(a, (names as string | undefined) ?? syscall, path, dest)
    }
    case Tag.Panic:
      return internalError(`eio: the request panicked: ${extras![b] as string}`)
    case Tag.Detached:
      return invalidState('the buffer was detached while the request was in flight')
    case Tag.Unconvertible:
      return internalError('eio: the result could not be converted to a JavaScript value')
  }
  return internalError(`eio: unknown failure tag ${tag}`)
}
