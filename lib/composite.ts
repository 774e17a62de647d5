// IO::AIO's composite requests: load, copy, move, scandir, rmtree. Each runs as one pool
// request whose parallel steps (scandir's stats, rmtree's and copy's directories and
// files) are sub-work on the pool's own threads at the request's priority, so its
// priority applies to the whole and an abort stops it between steps, cleaning up as an
// error would.

import { binding } from './native.js'
import { Out, request, track } from './engine.js'
import type { RequestOptions } from './engine.js'
import { toPath } from './paths.js'
import type { PathLike } from './paths.js'
import { withProgress } from './progress.js'
import type { ProgressListener, TreeCounts } from './progress.js'
import type { NamesOptions } from './requests.js'
import { optionKeys, REQUEST_OPTIONS, validateBoolean, validateEncoding, validateFunction, validateInt32, validateObject, validateOptionKeys } from './validators.js'

export type { ProgressListener, TreeCounts } from './progress.js'

/**
 * The options' own properties, each read once, as Node's fs.cp reads its options (`{
 * ...options }`): what an options object inherits (a Buffer's `filter` method) is not an
 * option. `request` has checked that `options` is an object, if given.
 */
function ownOptions<T extends object>(options: T | undefined | null): Partial<T> {
  return options === undefined || options === null ? {} : { ...options }
}

/** `value` if a boolean, `fallback` if undefined. */
function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  return value === undefined ? fallback : validateBoolean(value, name)
}

/** A progress listener, or undefined. */
function optionalListener(value: unknown, name: string): ProgressListener | undefined {
  return value === undefined ? undefined : (validateFunction(value, name) as ProgressListener)
}

/**
 * What `scandir` fulfils with: names relative to the directory, unsorted.
 *
 * @group Results and errors
 */
export interface ScandirResult<T = string> {
  /** The subdirectories (not symlinks to directories). */
  dirs: T[]
  /** Everything else, symlinks included. */
  nondirs: T[]
}

const LOAD_OPTIONS = optionKeys('load', REQUEST_OPTIONS)
const SCANDIR_OPTIONS = optionKeys('scandir', [...REQUEST_OPTIONS, 'encoding'])

/**
 * `aio_load`: the whole file as a `Buffer`. Read to the end of the file, so files whose
 * size the kernel does not report (procfs, sysfs) come back whole. Files over 4 GiB (the
 * largest Buffer of Node 20) reject with `EFBIG`.
 *
 * @group Composite requests
 */
export function load(path: PathLike, options?: RequestOptions): Promise<Buffer> {
  return request(options, (o) => {
    validateOptionKeys(options, LOAD_OPTIONS)
    const p = toPath(path)
    return track(binding.load(o.priority, p.dir, p.path), o, Out.Value, 'load', p.display)
  })
}

/**
 * Decides whether `copy` takes an entry, as `fs.cp`'s `filter` does: `src` and `dst` are
 * the entry's paths (the roots as given, the entries below them joined to them). Return
 * (or resolve to) true to copy it, false to leave it (and, for a directory, all in it).
 *
 * @group Options and arguments
 */
export type CopyFilter = (src: string, dst: string) => boolean | Promise<boolean>

/**
 * Options of `copy`.
 *
 * @group Options and arguments
 */
export interface CopyOptions extends RequestOptions {
  /**
   * Copy a directory and everything in it: directories, regular files (holes kept),
   * symlinks as links (their targets verbatim), FIFOs, sockets and (where permitted)
   * devices recreated; modes, owners and times (to the nanosecond) kept; hard links
   * inside the tree kept as hard links. Without it a directory rejects with `EISDIR`.
   * Default false.
   */
  recursive?: boolean
  /** Replace entries that exist at the destination (default true). */
  overwrite?: boolean
  /** With `overwrite: false`, reject with `EEXIST` when an entry exists (default false: skip it). */
  errorOnExist?: boolean
  /** Asked about every entry before it is copied (the root first); see {@link CopyFilter}. */
  filter?: CopyFilter
  /** With `recursive`: follow symlinks in the source, copying what they point to. Default false. */
  dereference?: boolean
  /** Called with the counts so far, at most every ~100 ms, and once at the end. */
  onProgress?: ProgressListener
}

const COPY_OPTIONS = optionKeys('copy', [...REQUEST_OPTIONS, 'recursive', 'overwrite', 'errorOnExist', 'filter', 'dereference', 'onProgress'])

/**
 * `aio_copy`: copies `src` to `dst` and resolves to `{ entries, bytes }` copied.
 *
 * A file's contents are copied until the end of the file (procfs and sysfs files copy
 * exactly what they hold), keeping holes where the filesystem reports them, then its
 * times (with nanoseconds), owner and mode; setuid and setgid are dropped if the owner
 * cannot be kept. A destination that does not exist is created (mode 0200 until the
 * end); one that exists is replaced atomically (the copy is made beside it and renamed
 * over it), so a failure or an abort never leaves a half-written file and the old one
 * stays as it was. A destination symlink is written through, as `cp` does (the file it
 * names is replaced); a dangling one is refused with `ENOENT` (GNU cp: "not writing
 * through dangling symlink"). A destination that is `src` under another name (the same
 * path, a hardlink, a symlink to it) rejects with `EINVAL`. `src` is never modified.
 *
 * Without `recursive`, `src` must be a regular file (a symlink to one is followed): a
 * directory rejects with `EISDIR`, and a FIFO, socket or device with `EINVAL` at once,
 * without being opened (opening a FIFO would wait for a writer).
 *
 * With `recursive`, `src` may be a directory: its tree is copied into `dst` (created, or
 * merged into if it is a directory), spread over the pool's threads at the request's
 * priority (see {@link CopyOptions.recursive}). A symlink `src` is copied as a link unless
 * `dereference`. Directories get their times after their contents. A `dst` inside `src`
 * rejects with `EINVAL`; the parent of `dst` must exist (as for `cp`). On an error the
 * copy stops and rejects, naming the entry (`path` in `src`, `dest` in `dst`): what was
 * copied stays, the file being written does not.
 *
 * @example
 * ```js fixture=tree
 * import { copy } from 'io-aio'
 *
 * const { entries, bytes } = await copy('src', 'backup', { recursive: true, filter: (src) => !src.endsWith('.tmp') })
 * console.log(`${entries} entries, ${bytes} bytes`)
 * ```
 *
 * @group Composite requests
 */
export function copy(src: PathLike, dst: PathLike, options?: CopyOptions): Promise<TreeCounts> {
  return request(options, (o) => {
    validateOptionKeys(options, COPY_OPTIONS)
    const from = toPath(src, 'src')
    const to = toPath(dst, 'dst')
    const opts = ownOptions(options)
    const flags = {
      recursive: optionalBoolean(opts.recursive, 'options.recursive', false),
      overwrite: optionalBoolean(opts.overwrite, 'options.overwrite', true),
      errorOnExist: optionalBoolean(opts.errorOnExist, 'options.errorOnExist', false),
      dereference: optionalBoolean(opts.dereference, 'options.dereference', false),
    }
    const filter = opts.filter === undefined ? undefined : (validateFunction(opts.filter, 'options.filter') as CopyFilter)
    const onProgress = optionalListener(opts.onProgress, 'options.onProgress')
    const asked = filter === undefined ? undefined : askFilter(filter, pathString(from.display), pathString(to.display))
    const copied = withProgress(onProgress, o, (tally) => {
      const id = binding.copy(o.priority, from.dir, from.path, to.dir, to.path, flags, asked?.call, tally)
      return track<TreeCounts>(id, o, Out.Value, 'copy', from.display, to.display)
    })
    return asked === undefined ? copied : asked.settle(copied)
  })
}

/** A path as the filter sees it: a string (a Buffer path decoded as UTF-8). */
function pathString(display: unknown): string {
  return Buffer.isBuffer(display) ? display.toString() : String(display)
}

/**
 * The binding's side of a copy's `filter`: called with a directory (below the roots) and
 * its entries' names, it asks `filter` about each and answers through `reply`, at once
 * when every answer is a boolean, else once the promises settle. If `filter` throws or
 * rejects, the copy stops and rejects with that error (`settle`).
 */
function askFilter(filter: CopyFilter, srcRoot: string, dstRoot: string) {
  let failure: { error: unknown } | undefined
  const fail = (reply: FilterReply, error: unknown) => {
    failure ??= { error }
    reply.fail()
  }
  const call = (dir: Buffer, names: Buffer[], reply: FilterReply): void => {
    try {
      const base = dir.length === 0 ? '' : dir.toString()
      const answers = names.map((name) => {
        const rel = name.length === 0 ? base : base === '' ? name.toString() : `${base}/${name.toString()}`
        return rel === '' ? filter(srcRoot, dstRoot) : filter(joinPath(srcRoot, rel), joinPath(dstRoot, rel))
      })
      if (answers.every((a) => typeof a === 'boolean')) return reply.answer(answers as boolean[])
      Promise.all(answers).then(
        (keep) => reply.answer(keep.map(Boolean)),
        (error: unknown) => fail(reply, error),
      )
    } catch (error) {
      fail(reply, error)
    }
  }
  const settle = <T>(copied: Promise<T>): Promise<T> =>
    copied.catch((err: unknown) => {
      throw failure === undefined ? err : failure.error
    })
  return { call, settle }
}

type FilterReply = { answer(keep: boolean[]): void; fail(): void }

/** `rel` below `root`, as path.join would put it, without normalising `root` itself. */
function joinPath(root: string, rel: string): string {
  return root.endsWith('/') ? `${root}${rel}` : `${root}/${rel}`
}

/**
 * Options of `move`.
 *
 * @group Options and arguments
 */
export interface MoveOptions extends RequestOptions {
  /**
   * Replace what exists at `dst`, as `rename` does (default true). False: an existing
   * `dst` rejects with `EEXIST` and nothing moves.
   */
  overwrite?: boolean
  /** Called with the counts so far (of the copy, across filesystems), at most every ~100 ms, and once at the end. */
  onProgress?: ProgressListener
}

const MOVE_OPTIONS = optionKeys('move', [...REQUEST_OPTIONS, 'overwrite', 'onProgress'])

/**
 * `aio_move`: renames `src` to `dst`; across filesystems (`EXDEV`), copies the whole tree
 * as `copy(src, dst, { recursive: true })` does (links as links, modes, owners and times
 * kept) and removes `src` only once the whole copy succeeded. If the copy fails (or is
 * aborted), what it made of `dst` is removed and `src` is left whole. An existing `dst`
 * is replaced as `rename` replaces it: a directory must be empty (else `ENOTEMPTY`), a
 * directory for a file is `EISDIR` and the reverse `ENOTDIR`.
 *
 * Resolves to `{ entries, bytes }` copied: `{ entries: 1, bytes: 0 }` for a rename, which
 * copies nothing.
 *
 * @example
 * ```js fixture=tree
 * import { move } from 'io-aio'
 *
 * await move('build', 'build.old', { overwrite: false }) // a rename, or a copy across filesystems
 * ```
 *
 * @group Composite requests
 */
export function move(src: PathLike, dst: PathLike, options?: MoveOptions): Promise<TreeCounts> {
  return request(options, (o) => {
    validateOptionKeys(options, MOVE_OPTIONS)
    const from = toPath(src, 'src')
    const to = toPath(dst, 'dst')
    const opts = ownOptions(options)
    const overwrite = optionalBoolean(opts.overwrite, 'options.overwrite', true)
    const onProgress = optionalListener(opts.onProgress, 'options.onProgress')
    return withProgress(onProgress, o, (tally) => {
      const id = binding.move(o.priority, from.dir, from.path, to.dir, to.path, overwrite, tally)
      return track<TreeCounts>(id, o, Out.Value, 'move', from.display, to.display)
    })
  })
}

/**
 * `aio_scandir`: the entries of a directory split into `dirs` and `nondirs` (symlinks to
 * directories are nondirs), names relative and unsorted, with as few stats as IO::AIO's
 * algorithm needs (none where the filesystem reports entry types). Where it must stat,
 * at most `maxreq` stats run at once (0, the default: 4, as IO::AIO).
 * `encoding: 'buffer'` returns the names as Buffers.
 *
 * @group Composite requests
 */
export function scandir(path: PathLike, maxreq?: number, options?: NamesOptions & { encoding?: 'utf8' }): Promise<ScandirResult<string>>
export function scandir(path: PathLike, maxreq: number | undefined, options: NamesOptions & { encoding: 'buffer' }): Promise<ScandirResult<Buffer>>
export function scandir(path: PathLike, maxreq = 0, options?: NamesOptions): Promise<ScandirResult<string> | ScandirResult<Buffer>> {
  return request(options, (o) => {
    validateOptionKeys(options, SCANDIR_OPTIONS)
    const p = toPath(path)
    const max = Math.max(0, validateInt32(maxreq ?? 0, 'maxreq'))
    const buffers = options == null ? false : validateEncoding(validateObject(options, 'options').encoding, 'options.encoding')
    return track(binding.scandir(o.priority, p.dir, p.path, max, buffers), o, Out.Value, 'scandir', p.display)
  })
}

/**
 * Options of `rmtree`.
 *
 * @group Options and arguments
 */
export interface RmtreeOptions extends RequestOptions {
  /**
   * `rm -f`: a missing path (or a path through a file) resolves with nothing removed, and
   * a path that is not a directory is unlinked (without it: `ENOTDIR`). Default false.
   */
  force?: boolean
  /**
   * Also empty filesystems mounted below `path`. By default a mount point below it is
   * not entered: it stays, with the directories above it, and the promise rejects with
   * `EBUSY` naming it once all else is removed. Default false.
   */
  crossMounts?: boolean
  /** Called with the counts so far, at most every ~100 ms, and once at the end. */
  onProgress?: ProgressListener
}

const RMTREE_OPTIONS = optionKeys('rmtree', [...REQUEST_OPTIONS, 'force', 'crossMounts', 'onProgress'])

/**
 * `aio_rmtree`, as `rm -rf` does it: removes a directory and everything in it, never
 * following a symlink, even one swapped in while it runs (symlinks are removed as links,
 * their targets are left alone). Directories are spread over the pool's threads at the
 * request's priority.
 *
 * It removes everything it can, then rejects with the first error, whose `path` names the
 * entry that could not be removed (the directories above it stay). An entry that another
 * process removes meanwhile counts as done, so several rmtrees of one tree all succeed.
 * Resolves to `{ entries, bytes }`: the entries removed (the root included) and the
 * sizes of the regular files among them.
 *
 * The root: a symlink is removed itself; a file rejects with `ENOTDIR` (unlinked with
 * `force`); a missing path rejects with `ENOENT` (resolves with `force`). Like `rm`, it
 * refuses a path ending in `.` or `..` (`EINVAL`, nothing removed) and `/` (`EBUSY`); a
 * trailing slash is allowed on a directory (`'dir/'` removes `dir`), but a symlink named
 * with one (`'link/'`) is refused with `ENOTDIR`, where `rm -rf link/` would empty the
 * directory the link points to. A filesystem mounted below the root is left alone unless
 * `crossMounts` (see {@link RmtreeOptions}).
 *
 * @example
 * ```js fixture=tree
 * import { rmtree } from 'io-aio'
 *
 * const { entries } = await rmtree('build', { force: true }) // rm -rf build
 * console.log(`${entries} entries removed`)
 * ```
 *
 * @group Composite requests
 */
export function rmtree(path: PathLike, options?: RmtreeOptions): Promise<TreeCounts> {
  return request(options, (o) => {
    validateOptionKeys(options, RMTREE_OPTIONS)
    const p = toPath(path)
    const opts = ownOptions(options)
    const force = optionalBoolean(opts.force, 'options.force', false)
    const crossMounts = optionalBoolean(opts.crossMounts, 'options.crossMounts', false)
    const onProgress = optionalListener(opts.onProgress, 'options.onProgress')
    return withProgress(onProgress, o, (tally) => {
      const id = binding.rmtree(o.priority, p.dir, p.path, force, crossMounts, tally)
      return track<TreeCounts>(id, o, Out.Value, 'rmtree', p.display)
    })
  })
}
