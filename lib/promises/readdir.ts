// readdir: a directory's names (or `fs.Dirent`s) in one eio request, sorted as Node's are
// (libuv sorts them bytewise), every entry's type known; with `recursive`, the whole tree
// from eio's parallel walk, which never follows a symlink (Node 20's recursive readdir
// without `withFileTypes` descends into symlinks to directories, and loops on a cycle).

import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { Dirent } from 'node:fs'

import { binding } from '../native.js'
import { Out, PRI_DEFAULT, request, track } from '../engine.js'
import type { Opts } from '../engine.js'
import { errnoError } from '../errors.js'
import { joinPath, toPath } from '../paths.js'
import { splitNames } from '../wire.js'
import type { TreeBatch } from '../wire.js'
import { getOptions, getValidatedPath } from './args.js'
import type { Path, PathLike } from './args.js'
import { settle } from './call.js'
import { direntOf } from './dirent.js'
import { encodeName, wantsBuffer } from './names.js'

/** The options of `readdir`. */
export interface ReaddirOptions {
  /** How names are returned: a string encoding (default 'utf8'), or 'buffer'. */
  encoding?: BufferEncoding | 'buffer' | null
  /** `fs.Dirent` objects instead of names. */
  withFileTypes?: boolean
  /**
   * The whole tree below the directory: paths relative to it (or Dirents), never through
   * a symlink; in no particular order (the tree is read in parallel).
   */
  recursive?: boolean
}

/** The sorted listing with types: as `readdirx` with `READDIR_DENTS` fulfils. */
interface Sorted {
  entries: { name: string | Buffer; type: number }[]
}

/**
 * The entries of the directory at `path`, without `.` and `..`, sorted bytewise: names
 * (strings in `options.encoding`, or Buffers with 'buffer'), or with `withFileTypes`
 * `fs.Dirent`s. With `recursive`, the entries of the whole tree (see `ReaddirOptions`).
 */
export async function readdir(path: PathLike, options?: (ReaddirOptions & { withFileTypes?: false; encoding?: BufferEncoding | null }) | BufferEncoding | null): Promise<string[]>
export async function readdir(path: PathLike, options: (ReaddirOptions & { withFileTypes?: false; encoding: 'buffer' }) | 'buffer'): Promise<Buffer[]>
export async function readdir(path: PathLike, options: ReaddirOptions & { withFileTypes: true }): Promise<Dirent[]>
export async function readdir(path: PathLike, options?: ReaddirOptions | BufferEncoding | 'buffer' | null): Promise<string[] | Buffer[] | Dirent[]>
export async function readdir(path: PathLike, options?: ReaddirOptions | BufferEncoding | 'buffer' | null): Promise<string[] | Buffer[] | Dirent[]> {
  const o = { ...getOptions(options) }
  const p = getValidatedPath(path)
  const encoding = o.encoding as BufferEncoding | 'buffer' | undefined
  const types = Boolean(o.withFileTypes)
  if (o.recursive) return readdirRecursive(p, encoding, types)
  const buffers = wantsBuffer(encoding)
  const raw = await settle(request(undefined, (opts) => {
    const at = toPath(p)
    return track<(string | Buffer)[] | Sorted>(binding.readdirSorted(opts.priority, at.dir, at.path, types, buffers), opts, Out.Value, 'scandir', at.display)
  }))
  if (!types) {
    const names = raw as (string | Buffer)[]
    return (buffers ? names.map((n) => encodeName(n, encoding)) : names) as string[] | Buffer[]
  }
  const { entries } = raw as Sorted
  const out: Dirent[] = new Array(entries.length)
  for (let i = 0; i < entries.length; i++) out[i] = direntOf(encodeName(entries[i].name, encoding), entries[i].type, p)
  return out
}

/** Directory reads of one recursive readdir in flight at most (as walk's default). */
const CONCURRENCY = Math.min(16, Math.max(4, 2 * availableParallelism()))
/** Entries a read takes before handing the rest of the frontier back (as walk's). */
const BUDGET = 2048
const NO_OPTIONS: Opts = { priority: PRI_DEFAULT, signal: undefined, group: undefined }

/**
 * `readdir` with `recursive`: the tree read by eio's walk (its native frontier, up to
 * CONCURRENCY reads in flight on the pool), whole batches at a time: each batch's names
 * become Dirents (or relative paths) in one loop, with one parent path per directory,
 * never a promise or an intermediate object per entry. Entries come in the order the
 * reads finish, a directory before what is in it. Symlinks are never followed.
 */
async function readdirRecursive(root: Path, encoding: BufferEncoding | 'buffer' | undefined, types: boolean): Promise<string[] | Buffer[] | Dirent[]> {
  const buffers = wantsBuffer(encoding)
  const at = toPath(root)
  const walk = binding.walkOpen(at.dir, at.path, false, -1, false, [], false)
  const out: (string | Buffer | Dirent)[] = []
  const append = types ? appendDirents(root, encoding, out) : appendRelative(encoding, out)
  try {
    await settle(new Promise<void>((resolve, reject) => {
      let inflight = 0
      let failed = false
      const fail = (err: unknown) => {
        failed = true
        reject(err)
      }
      const pump = () => {
        while (!failed && inflight < CONCURRENCY && walk.pending() > 0) read()
        if (!failed && inflight === 0) resolve()
      }
      const read = () => {
        inflight++
        const id = binding.walkRead(PRI_DEFAULT, walk, BUDGET, buffers)
        track<TreeBatch>(id, NO_OPTIONS, Out.Value, 'scandir', at.display).then(
          (batch) => {
            inflight--
            if (failed) return
            walk.admit(batch.hold)
            if (batch.errors !== undefined) {
              // Node's recursive readdir fails with the first directory it cannot read.
              const [rel, errno, syscall] = batch.errors[0]
              fail(errnoError(errno, syscall, joinPath(at.display, rel, buffers)))
              return
            }
            append(batch)
            pump()
          },
          (err: unknown) => {
            inflight--
            if (!failed) fail(err)
          },
        )
      }
      pump()
    }))
  } finally {
    walk.close()
  }
  return out as string[] | Buffer[] | Dirent[]
}

/**
 * Appends a batch's entries as `fs.Dirent`s. `parentPath` is the root as given for its
 * own entries and `path.join(root, dir)` below, as Node's recursive readdir has it.
 */
function appendDirents(root: Path, encoding: BufferEncoding | 'buffer' | undefined, out: unknown[]): (batch: TreeBatch) => void {
  const rootText = typeof root === 'string' ? root : root.toString()
  return (batch) => {
    const names = splitNames(batch.names)
    const dirs = splitNames(batch.dirs)
    const { dirInfo, types } = batch
    let k = 0
    for (let d = 0; d < dirs.length; d++) {
      const rel = dirs[d]
      const parent =
        rel.length === 0 ? root : typeof rel === 'string' ? join(rootText, rel) : Buffer.concat([Buffer.from(join(rootText, '/')), rel])
      for (let end = k + dirInfo[2 * d + 1]; k < end; k++) out.push(direntOf(encodeName(names[k], encoding), types[k], parent))
    }
  }
}

/** Appends a batch's entries as paths relative to the root (Node's `path.relative(root, entry)`). */
function appendRelative(encoding: BufferEncoding | 'buffer' | undefined, out: unknown[]): (batch: TreeBatch) => void {
  return (batch) => {
    const names = splitNames(batch.names)
    const dirs = splitNames(batch.dirs)
    const { dirInfo } = batch
    let k = 0
    for (let d = 0; d < dirs.length; d++) {
      const rel = dirs[d]
      const end = k + dirInfo[2 * d + 1]
      if (typeof rel === 'string') {
        const prefix = rel.length === 0 ? '' : `${rel}/`
        for (; k < end; k++) out.push(prefix + (names[k] as string))
      } else {
        const prefix = rel.length === 0 ? rel : Buffer.concat([rel, Buffer.of(0x2f)])
        for (; k < end; k++) out.push(encodeName(Buffer.concat([prefix, names[k] as Buffer]), encoding))
      }
    }
  }
}
