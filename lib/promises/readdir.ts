// readdir: a directory's names (or `fs.Dirent`s) in one eio request, sorted as Node's are
// (libuv sorts them bytewise), every entry's type known; with `recursive`, the whole tree
// from eio's parallel `walk`, which never follows a symlink (Node 20's recursive readdir
// without `withFileTypes` descends into symlinks to directories, and loops on a cycle).

import { join } from 'node:path'
import type { Dirent } from 'node:fs'

import { binding } from '../native.js'
import { Out, request, track } from '../engine.js'
import { toPath } from '../paths.js'
import { walk } from '../scan.js'
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

/** `readdir` with `recursive`: from one `walk` of the tree, in the order it arrives. */
async function readdirRecursive(root: Path, encoding: BufferEncoding | 'buffer' | undefined, types: boolean): Promise<string[] | Buffer[] | Dirent[]> {
  const buffers = wantsBuffer(encoding)
  // walk joins each entry's path below the root onto the root and a slash.
  const rootText = typeof root === 'string' ? root : root.toString()
  const skip = (buffers ? Buffer.byteLength(rootText) : rootText.length) + (rootText.endsWith('/') ? 0 : 1)
  const out: (string | Buffer | Dirent)[] = []
  const parents = new Map<string, string | Buffer>()
  const entries = buffers ? walk(root, { encoding: 'buffer' }) : walk(root)
  for await (const e of entries) {
    const rel = typeof e.path === 'string' ? e.path.slice(skip) : e.path.subarray(skip)
    if (!types) {
      out.push(encodeName(rel, encoding))
      continue
    }
    out.push(direntOf(encodeName(e.name, encoding), e.type, parentOf(root, rel, e.name, parents)))
  }
  return out as string[] | Buffer[] | Dirent[]
}

/**
 * An entry's `parentPath` as Node's recursive readdir gives it: the root as given for its
 * own entries, `path.join(root, dir)` below (one string per directory, shared).
 */
function parentOf(root: Path, rel: string | Buffer, name: string | Buffer, parents: Map<string, string | Buffer>): string | Buffer {
  const dirLength = rel.length - name.length - 1
  if (dirLength <= 0) return root
  const dir = typeof rel === 'string' ? rel.slice(0, dirLength) : rel.subarray(0, dirLength).toString('latin1')
  let parent = parents.get(dir)
  if (parent === undefined) {
    parent = typeof root === 'string' && typeof rel === 'string'
      ? join(root, dir)
      : Buffer.concat([Buffer.from(join(root.toString(), '/')), Buffer.from(dir, 'latin1')])
    parents.set(dir, parent)
  }
  return parent
}
