// The results of the stat family as node:fs/promises gives them: objects of Node's own
// classes (`fs.Stats`, `StatFs`), with the same own fields in the same order, so that
// `instanceof`, `assert.deepStrictEqual` against `fs.statSync` and `JSON.stringify` behave
// as with node:fs.

import { Stats as NodeStats, statSync, statfsSync } from 'node:fs'
import type { BigIntStats as NodeBigIntStats } from 'node:fs'

import type { BigIntStats as EioBigIntStats, Stats as EioStats } from '../stats.js'

/**
 * A `fs.Stats` with the fields of `s`: the numbers as they are, the four Dates built
 * eagerly as Node 20 does (rounded to the nearest millisecond, as Node's `dateFromMs`).
 */
export function toNodeStats(s: EioStats): NodeStats {
  const st = Object.create(NodeStats.prototype) as NodeStats
  st.dev = s.dev
  st.mode = s.mode
  st.nlink = s.nlink
  st.uid = s.uid
  st.gid = s.gid
  st.rdev = s.rdev
  st.blksize = s.blksize
  st.ino = s.ino
  st.size = s.size
  st.blocks = s.blocks
  st.atimeMs = s.atimeMs
  st.mtimeMs = s.mtimeMs
  st.ctimeMs = s.ctimeMs
  st.birthtimeMs = s.birthtimeMs
  st.atime = new Date(Math.round(s.atimeMs))
  st.mtime = new Date(Math.round(s.mtimeMs))
  st.ctime = new Date(Math.round(s.ctimeMs))
  st.birthtime = new Date(Math.round(s.birthtimeMs))
  return st
}

let bigIntStatsPrototype: object | undefined

/**
 * A `BigIntStats` of Node's own class (which node:fs does not export: its prototype is
 * taken from one `statSync('/', { bigint: true })`, once), with the exact fields of `s`
 * in Node's order.
 */
export function toNodeBigIntStats(s: EioBigIntStats): NodeBigIntStats {
  bigIntStatsPrototype ??= Object.getPrototypeOf(statSync('/', { bigint: true })) as object
  const st = Object.create(bigIntStatsPrototype) as Record<string, unknown>
  for (const key of BIGINT_STATS_FIELDS) st[key] = s[key]
  return st as unknown as NodeBigIntStats
}

/** The own fields of Node 20's `BigIntStats`, in its order. */
const BIGINT_STATS_FIELDS = [
  'dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'blksize', 'ino', 'size', 'blocks',
  'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs', 'atimeNs', 'mtimeNs', 'ctimeNs', 'birthtimeNs',
  'atime', 'mtime', 'ctime', 'birthtime',
] as const

/** Node's Stats or BigIntStats of an eio result, as `bigint` asked. */
export function toNodeStatsOf(s: EioStats | EioBigIntStats): NodeStats | NodeBigIntStats {
  return typeof s.dev === 'bigint' ? toNodeBigIntStats(s as EioBigIntStats) : toNodeStats(s as EioStats)
}

/** What `statfs` fulfils with: Node's `StatFs` fields. */
export interface StatFs<T = number> {
  /** Type of the filesystem (`f_type`, a magic number such as `0xef53` for ext4). */
  type: T
  /** Optimal transfer block size. */
  bsize: T
  /** Total data blocks. */
  blocks: T
  /** Free blocks. */
  bfree: T
  /** Free blocks available to unprivileged users. */
  bavail: T
  /** Total file nodes. */
  files: T
  /** Free file nodes. */
  ffree: T
}

let statFsPrototype: object | undefined

/**
 * A `StatFs` of Node's own class (which node:fs does not export: its prototype is taken
 * from one `statfsSync` of `/`, once) from `[type, bsize, blocks, bfree, bavail, files,
 * ffree]`, as numbers or, with `bigint`, as bigints.
 */
export function toStatFs(fields: (number | bigint)[], bigint: boolean): StatFs<number> | StatFs<bigint> {
  statFsPrototype ??= Object.getPrototypeOf(statfsSync('/')) as object
  const st = Object.create(statFsPrototype) as Record<string, number | bigint>
  const keys = ['type', 'bsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree'] as const
  keys.forEach((key, i) => {
    st[key] = bigint ? BigInt(fields[i]) : Number(fields[i])
  })
  return st as unknown as StatFs<number> | StatFs<bigint>
}
