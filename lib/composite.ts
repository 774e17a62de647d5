// IO::AIO's composite requests: load, copy, move, scandir, rmtree. Each runs as one pool
// request (its steps on one worker; scandir's stats and rmtree's removals also on threads
// of the request's own), so its priority applies to the whole and an abort stops it
// between steps, cleaning up as an error would.

import { binding } from './native.js'
import { Out, request, track } from './engine.js'
import type { RequestOptions } from './engine.js'
import { toPath } from './paths.js'
import type { PathLike } from './paths.js'
import type { NamesOptions } from './requests.js'
import { validateEncoding, validateInt32, validateObject } from './validators.js'

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

/**
 * `aio_load`: the whole file as a `Buffer`. Read to the end of the file, so files whose
 * size the kernel does not report (procfs, sysfs) come back whole. Files over 4 GiB (the
 * largest Buffer of Node 20) reject with `EFBIG`.
 *
 * @group Composite requests
 */
export function load(path: PathLike, options?: RequestOptions): Promise<Buffer> {
  return request(options, (o) => {
    const p = toPath(path)
    return track(binding.load(o.priority, p.dir, p.path), o, Out.Value, 'load', p.display)
  })
}

/**
 * `aio_copy`: copies the contents of `src` to `dst` (until the end of `src`, keeping holes
 * where the filesystem reports them), then its times (with nanoseconds), owner and mode;
 * the setuid and setgid bits are dropped if the owner cannot be kept. `dst` is created
 * (mode 0200 until the end) or overwritten; a `dst` that is `src` under another name (the
 * same path, a hardlink, a symlink to it) rejects with `EINVAL` and is left intact. On
 * failure or abort a `dst` this copy created is removed; `src` is never modified. A
 * directory as `src` rejects with `EISDIR`.
 *
 * @group Composite requests
 */
export function copy(src: PathLike, dst: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    const from = toPath(src, 'src')
    const to = toPath(dst, 'dst')
    const id = binding.copy(o.priority, from.dir, from.path, to.dir, to.path)
    return track(id, o, Out.Void, 'copy', from.display, to.display)
  })
}

/**
 * `aio_move`: renames `src` to `dst`; across filesystems (`EXDEV`), copies a regular file
 * as `copy` does and unlinks `src` only once the copy succeeded. Anything else across
 * filesystems (a directory, a symlink) rejects with `EXDEV` and nothing is changed.
 *
 * @group Composite requests
 */
export function move(src: PathLike, dst: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    const from = toPath(src, 'src')
    const to = toPath(dst, 'dst')
    const id = binding.move(o.priority, from.dir, from.path, to.dir, to.path)
    return track(id, o, Out.Void, 'move', from.display, to.display)
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
    const p = toPath(path)
    const max = Math.max(0, validateInt32(maxreq ?? 0, 'maxreq'))
    const buffers = options == null ? false : validateEncoding(validateObject(options, 'options').encoding, 'options.encoding')
    return track(binding.scandir(o.priority, p.dir, p.path, max, buffers), o, Out.Value, 'scandir', p.display)
  })
}

/**
 * `aio_rmtree`: removes a directory and everything in it, never following a symlink,
 * even one swapped in while it runs: symlinks are removed as links, their targets are
 * left alone. A symlink as `path` is removed itself; a file rejects with `ENOTDIR`.
 * Errors name the entry that could not be removed.
 *
 * @group Composite requests
 */
export function rmtree(path: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    const p = toPath(path)
    return track(binding.rmtree(o.priority, p.dir, p.path), o, Out.Void, 'rmtree', p.display)
  })
}
