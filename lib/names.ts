// Requests on names and directories: mknod, link, symlink, readlink, realpath, wd,
// readdirx. Each validates, normalises, and makes one binding call; none throws.

import { fileURLToPath } from 'node:url'

import { binding } from './native.js'
import { constants } from './constants.js'
import { Out, request, track } from './engine.js'
import type { RequestOptions } from './engine.js'
import { invalidArgType, invalidArgValue, invalidUrlScheme } from './errors.js'
import { toPath } from './paths.js'
import type { PathLike } from './paths.js'
import type { NamesOptions } from './requests.js'
import {
  isUnusableProxy,
  optionKeys,
  REQUEST_OPTIONS,
  validateBuffer,
  validateEncoding,
  validateInteger,
  validateMode,
  validateObject,
  validateOffset,
  validateOptionKeys,
} from './validators.js'
import type { Wd } from './wd.js'
import type { ReaddirxEntry, ReaddirxResult } from './wire.js'

export type { ReaddirxEntry, ReaddirxResult } from './wire.js'

/**
 * The `flags` of `readdirx` that include `READDIR_DENTS` (1), as literal values:
 * `constants.READDIR_DENTS` alone, or a combination written as its value (`5` for
 * `READDIR_DENTS | READDIR_STAT_ORDER`). TypeScript types `a | b` as a plain `number`, so
 * such a combination gets the wider {@link ReaddirxResult}.
 *
 * @group Options and arguments
 */
export type ReaddirxDentsFlags = 1 | 3 | 5 | 7 | 0x81 | 0x83 | 0x85 | 0x87
/**
 * The literal `flags` of `readdirx` without `READDIR_DENTS`: the entries are names.
 *
 * @group Options and arguments
 */
export type ReaddirxNamesFlags = 0 | 2 | 4 | 6 | 0x80 | 0x82 | 0x84 | 0x86

/**
 * What `readdirx` fulfils with when `flags` has `READDIR_DENTS`: entries with their types.
 *
 * @group Results and errors
 */
export interface ReaddirxDents<N = string> extends ReaddirxResult<N> {
  /** `{ name, type, ino }` for each entry; no `.` or `..`. */
  entries: ReaddirxEntry<N>[]
}

/**
 * What `readdirx` fulfils with when `flags` lacks `READDIR_DENTS`: names.
 *
 * @group Results and errors
 */
export interface ReaddirxNames<N = string> extends ReaddirxResult<N> {
  /** The names; no `.` or `..`. */
  entries: N[]
}

export { CWD } from './wd.js'

const MKNOD_OPTIONS = optionKeys('mknod', REQUEST_OPTIONS)
const LINK_OPTIONS = optionKeys('link', REQUEST_OPTIONS)
const SYMLINK_OPTIONS = optionKeys('symlink', REQUEST_OPTIONS)
const READLINK_OPTIONS = optionKeys('readlink', [...REQUEST_OPTIONS, 'encoding'])
const REALPATH_OPTIONS = optionKeys('realpath', [...REQUEST_OPTIONS, 'encoding'])
const WD_OPTIONS = optionKeys('wd', REQUEST_OPTIONS)
const READDIRX_OPTIONS = optionKeys('readdirx', [...REQUEST_OPTIONS, 'encoding'])

const READDIR_KNOWN =
  constants.READDIR_DENTS | constants.READDIR_DIRS_FIRST | constants.READDIR_STAT_ORDER | constants.READDIR_FOUND_UNKNOWN

/** Whether `options` asks for names as Buffers (`encoding: 'buffer'`). */
function wantsBuffers(options: unknown): boolean {
  if (options === undefined || options === null) return false
  return validateEncoding(validateObject(options, 'options').encoding, 'options.encoding')
}

/** A symlink's contents: a string, bytes, or a file: URL, kept as given (never resolved). */
function linkTarget(value: unknown, name: string): string | Buffer {
  let target: string | Buffer
  if (typeof value === 'string') target = value
  else if (isUnusableProxy(value)) throw invalidArgType(name, 'of type string or an instance of Buffer or URL', value)
  else if (value instanceof Uint8Array && validateBuffer(value, name)) target = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  else if (value instanceof URL) {
    if (value.protocol !== 'file:') throw invalidUrlScheme('file')
    target = fileURLToPath(value)
  } else throw invalidArgType(name, 'of type string or an instance of Buffer or URL', value)
  if (typeof target === 'string' ? target.includes('\u0000') : target.includes(0)) {
    throw invalidArgValue(name, value, 'must be a string, Uint8Array, or URL without null bytes')
  }
  return target
}

/**
 * `aio_mknod`: creates a filesystem node. `mode` carries the type (`constants.S_IFIFO`,
 * `S_IFREG`, `S_IFSOCK`, or, with `CAP_MKNOD`, `S_IFCHR`/`S_IFBLK`) and the permission bits
 * (umask applies); `dev` is the device number of a device node (see `makedev`).
 *
 * @group Names and directories
 */
export function mknod(path: PathLike, mode: number | string, dev: number | bigint = 0, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, MKNOD_OPTIONS)
    const p = toPath(path)
    if (mode === undefined || mode === null) throw invalidArgType('mode', 'of type number or string', mode)
    const m = validateMode(mode, 'mode', 0)
    const d = validateOffset(dev ?? 0, 'dev')
    return track(binding.mknod(o.priority, p.dir, p.path, m, d), o, Out.Void, 'mknod', p.display)
  })
}

/**
 * `aio_link`: makes `dst` a new name (hard link) for the file `src`.
 *
 * @group Names and directories
 */
export function link(src: PathLike, dst: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, LINK_OPTIONS)
    const from = toPath(src, 'src')
    const to = toPath(dst, 'dst')
    const id = binding.link(o.priority, from.dir, from.path, to.dir, to.path)
    return track(id, o, Out.Void, 'link', from.display, to.display)
  })
}

/**
 * `aio_symlink`: creates the symlink `path` pointing to `target`. `target` is stored
 * exactly as given (a relative target stays relative to the link's directory, and is
 * not checked to exist).
 *
 * @group Names and directories
 */
export function symlink(target: string | Buffer | URL, path: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, SYMLINK_OPTIONS)
    const t = linkTarget(target, 'target')
    const p = toPath(path)
    return track(binding.symlink(o.priority, t, p.dir, p.path), o, Out.Void, 'symlink', t, p.display)
  })
}

/**
 * `aio_readlink`: the contents of a symlink; a `Buffer` with `encoding: 'buffer'`.
 *
 * @group Names and directories
 */
export function readlink(path: PathLike, options: NamesOptions & { encoding: 'buffer' }): Promise<Buffer>
export function readlink(path: PathLike, options?: NamesOptions): Promise<string>
export function readlink(path: PathLike, options?: NamesOptions): Promise<string | Buffer> {
  return request(options, (o) => {
    validateOptionKeys(options, READLINK_OPTIONS)
    const p = toPath(path)
    const buffers = wantsBuffers(options)
    return track(binding.readlink(o.priority, p.dir, p.path, buffers), o, Out.Value, 'readlink', p.display)
  })
}

/**
 * `aio_realpath`: the canonical absolute path, with every symlink, `.` and `..` resolved
 * (by the kernel, in one lookup). `realpath(wd)` is where a `Wd`'s directory is now.
 * Fails with ENOENT for `''` or a missing component, ENOTDIR, ELOOP. A `Buffer` with
 * `encoding: 'buffer'`. Linux: asks `/proc/self/fd` where the looked-up file is (ENOSYS
 * if `/proc` is not mounted).
 *
 * @group Names and directories
 */
export function realpath(path: PathLike, options: NamesOptions & { encoding: 'buffer' }): Promise<Buffer>
export function realpath(path: PathLike, options?: NamesOptions): Promise<string>
export function realpath(path: PathLike, options?: NamesOptions): Promise<string | Buffer> {
  return request(options, (o) => {
    validateOptionKeys(options, REALPATH_OPTIONS)
    const p = toPath(path)
    const buffers = wantsBuffers(options)
    return track(binding.realpath(o.priority, p.dir, p.path, buffers), o, Out.Value, 'realpath', p.display)
  })
}

/**
 * `aio_wd`: opens a directory as a working directory (see `Wd`), with its canonical path.
 * The directory is opened `O_PATH|O_DIRECTORY|O_CLOEXEC` (never as fd 0), which needs no
 * permission on the directory itself: looking names up through the Wd needs search (x)
 * permission, listing it read permission, as usual. ENOTDIR if `path` is not a directory.
 *
 * @group Names and directories
 */
export function wd(path: PathLike, options?: RequestOptions): Promise<Wd> {
  return request(options, (o) => {
    validateOptionKeys(options, WD_OPTIONS)
    const p = toPath(path)
    return track(binding.wd(o.priority, p.dir, p.path), o, Out.Value, 'open', p.display)
  })
}

/**
 * `aio_readdirx`: a directory's entries (without `.` and `..`), ordered by `flags`:
 * - no ordering flag: as the kernel returns them;
 * - `READDIR_STAT_ORDER`: ascending inode, the fastest order to stat every entry;
 * - `READDIR_DIRS_FIRST`: directories first (by inode), then the rest; where the
 *   filesystem reports no types, by a guess (leading dot, short names without a dot
 *   first) and then inode, as libeio does;
 * - both: as `READDIR_DIRS_FIRST`, with the rest by inode too (IO::AIO's order).
 *
 * With `READDIR_DENTS`, entries are `{ name, type, ino }`. `READDIR_FOUND_UNKNOWN` is an
 * answer (see `ReaddirxResult.flags`) and is ignored in `flags`. Names are `Buffer`s with
 * `encoding: 'buffer'`.
 *
 * Typed by `flags`: with `constants.READDIR_DENTS` (or a literal combination that has it,
 * see {@link ReaddirxDentsFlags}) the entries are {@link ReaddirxEntry} objects, without
 * it names; flags TypeScript only knows as a `number` (`READDIR_DENTS | READDIR_STAT_ORDER`)
 * give either.
 *
 * ```js fixture=tree
 * import { readdirx, constants } from 'io-aio'
 *
 * const { entries } = await readdirx('.', constants.READDIR_DENTS)
 * for (const e of entries) if (e.type === constants.DT_DIR) console.log(e.name, e.ino)
 * ```
 *
 * @group Names and directories
 */
export function readdirx(path: PathLike, flags: ReaddirxDentsFlags, options: NamesOptions & { encoding: 'buffer' }): Promise<ReaddirxDents<Buffer>>
export function readdirx(path: PathLike, flags: ReaddirxDentsFlags, options?: NamesOptions & { encoding?: 'utf8' }): Promise<ReaddirxDents<string>>
export function readdirx(path: PathLike, flags: ReaddirxNamesFlags | undefined, options: NamesOptions & { encoding: 'buffer' }): Promise<ReaddirxNames<Buffer>>
export function readdirx(path: PathLike, flags?: ReaddirxNamesFlags, options?: NamesOptions & { encoding?: 'utf8' }): Promise<ReaddirxNames<string>>
export function readdirx(path: PathLike, flags: number, options: NamesOptions & { encoding: 'buffer' }): Promise<ReaddirxResult<Buffer>>
export function readdirx(path: PathLike, flags?: number, options?: NamesOptions): Promise<ReaddirxResult<string>>
export function readdirx(path: PathLike, flags = 0, options?: NamesOptions): Promise<ReaddirxResult<string | Buffer>> {
  return request(options, (o) => {
    validateOptionKeys(options, READDIRX_OPTIONS)
    const p = toPath(path)
    const f = validateInteger(flags ?? 0, 'flags', 0, 0xffffffff)
    if ((f & ~READDIR_KNOWN) !== 0) throw invalidArgValue('flags', flags, 'must be a combination of READDIR_* constants')
    const buffers = wantsBuffers(options)
    return track(binding.readdirx(o.priority, p.dir, p.path, f, buffers), o, Out.Value, 'scandir', p.display)
  })
}
