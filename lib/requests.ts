// The requests of IO::AIO's core: each validates, normalises, and makes one binding call,
// in that order (Node's lib/internal/fs/promises.js pattern). None throws: bad arguments
// reject (see `request`).

import { binding } from './native.js'
import { constants } from './constants.js'
import { answeredNow, NO_OPTIONS, Out, PRI_DEFAULT, PRI_MIN, readTargets, request, track } from './engine.js'
import type { Opts, RequestOptions } from './engine.js'
import { absolute, isFdLike, toPath } from './paths.js'
import type { FdLike, NativePath, PathLike } from './paths.js'
import type { BigIntStats, Stats } from './stats.js'
import { ANSWERED_NOW, statNow } from './wire.js'
import {
  MAX_RW,
  validateBuffer,
  validateFd,
  validateInt32,
  validateInt64,
  validateLength,
  validateMode,
  validateObject,
  validateOpenFlags,
  validatePosition,
  validateRange,
  validateSeconds,
  validateEncoding,
  optionKeys,
  REQUEST_OPTIONS,
  validateBoolean,
  validateOptionKeys,
} from './validators.js'

const NOP_OPTIONS = optionKeys('nop', REQUEST_OPTIONS)
const BUSY_OPTIONS = optionKeys('busy', REQUEST_OPTIONS)
const OPEN_OPTIONS = optionKeys('open', REQUEST_OPTIONS)
const CLOSE_OPTIONS = optionKeys('close', REQUEST_OPTIONS)
const SEEK_OPTIONS = optionKeys('seek', REQUEST_OPTIONS)
const READ_OPTIONS = optionKeys('read', REQUEST_OPTIONS)
const WRITE_OPTIONS = optionKeys('write', REQUEST_OPTIONS)
const STAT_OPTIONS = optionKeys('stat', [...REQUEST_OPTIONS, 'bigint'])
const LSTAT_OPTIONS = optionKeys('lstat', [...REQUEST_OPTIONS, 'bigint'])
const UNLINK_OPTIONS = optionKeys('unlink', REQUEST_OPTIONS)
const MKDIR_OPTIONS = optionKeys('mkdir', [...REQUEST_OPTIONS, 'recursive'])
const RMDIR_OPTIONS = optionKeys('rmdir', REQUEST_OPTIONS)
const RENAME_OPTIONS = optionKeys('rename', REQUEST_OPTIONS)
const READDIR_OPTIONS = optionKeys('readdir', [...REQUEST_OPTIONS, 'encoding'])

/**
 * Options of requests that return names.
 *
 * @group Options and arguments
 */
export interface NamesOptions extends RequestOptions {
  /** 'buffer' returns names as Buffers, so that names that are not UTF-8 survive. */
  encoding?: 'utf8' | 'buffer'
}

/**
 * `aio_nop`: does nothing on a worker thread; fulfils once it has gone round the pool.
 *
 * @group Core requests
 */
export function nop(options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, NOP_OPTIONS)
    return track(binding.nop(o.priority), o, Out.Void, 'nop')
  })
}

/**
 * `aio_busy`: keeps a worker thread busy for `seconds` (fractions allowed).
 *
 * @group Core requests
 */
export function busy(seconds: number, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, BUSY_OPTIONS)
    const s = validateSeconds(seconds, 'seconds')
    return track(binding.busy(o.priority, s), o, Out.Void, 'busy')
  })
}

/**
 * `aio_open`: opens a file; fulfils with the fd. `flags` as a number or Node's strings.
 *
 * @group Core requests
 */
export function open(path: PathLike, flags: number | string = 'r', mode: number | string = 0o666, options?: RequestOptions): Promise<number> {
  return request(options, (o) => {
    validateOptionKeys(options, OPEN_OPTIONS)
    const p = toPath(path)
    const f = validateOpenFlags(flags, 'flags', constants)
    const m = validateMode(mode, 'mode', 0o666)
    return track(binding.open(o.priority, p.dir, p.path, f, m), o, Out.Value, 'open', p.display)
  })
}

/**
 * `aio_close`.
 *
 * @group Core requests
 */
export function close(fd: number | { fd: number }, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, CLOSE_OPTIONS)
    const f = validateFd(fd)
    return track(binding.close(o.priority, f), o, Out.Void, 'close')
  })
}

/**
 * `aio_seek`: `lseek`; fulfils with the new offset. `whence` is a `SEEK_*` constant.
 *
 * @group Core requests
 */
export function seek(fd: number | { fd: number }, offset: number | bigint, whence: number, options?: RequestOptions): Promise<number | bigint> {
  return request(options, (o) => {
    validateOptionKeys(options, SEEK_OPTIONS)
    const f = validateFd(fd)
    const off = validateInt64(offset, 'offset')
    const w = validateInt32(whence, 'whence')
    return track(binding.seek(o.priority, f, off, w), o, Out.Value, 'lseek')
  })
}

/** The binding's read, a raw Node-API function (see crates/eio-node/src/requests/read.rs). */
const nativeRead = binding.readFunction()

/**
 * `aio_read`: reads `length` bytes at `offset` (null: the file position) into `buffer` at
 * `bufferOffset`; fulfils with the number of bytes read.
 *
 * @group Core requests
 */
export function read(
  fd: number | { fd: number },
  offset: number | bigint | null | undefined,
  length: number,
  buffer: ArrayBufferView,
  bufferOffset = 0,
  options?: RequestOptions,
): Promise<number> {
  return request(options, (o) => {
    validateOptionKeys(options, READ_OPTIONS)
    const f = validateFd(fd)
    const pos = validatePosition(offset, 'offset')
    const buf = validateBuffer(buffer, 'buffer')
    const bo = validateLength(bufferOffset ?? 0, 'bufferOffset')
    const len = validateLength(length, 'length')
    validateRange(bo, len, buf.byteLength, 'bufferOffset', 'length')
    const id = nativeRead(o.priority, f, pos, Math.min(len, MAX_RW), bo)
    readTargets[id] = buf
    return track(id, o, Out.Value, 'read')
  })
}

/**
 * `aio_write`: writes `length` bytes of `data` (a buffer or a UTF-8 string) from
 * `dataOffset` at `offset` (null: the file position); fulfils with the bytes written.
 * `length` undefined writes the rest of `data`. `data` is copied before this returns.
 *
 * @group Core requests
 */
export function write(
  fd: number | { fd: number },
  offset: number | bigint | null | undefined,
  length: number | null | undefined,
  data: ArrayBufferView | string,
  dataOffset = 0,
  options?: RequestOptions,
): Promise<number> {
  return request(options, (o) => {
    validateOptionKeys(options, WRITE_OPTIONS)
    const f = validateFd(fd)
    const pos = validatePosition(offset, 'offset')
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : validateBuffer(data, 'data')
    const dof = validateLength(dataOffset ?? 0, 'dataOffset')
    const len = length === undefined || length === null ? Math.max(0, buf.byteLength - dof) : validateLength(length, 'length')
    validateRange(dof, len, buf.byteLength, 'dataOffset', 'length')
    const id = binding.write(o.priority, f, pos, buf, dof, Math.min(len, MAX_RW))
    return track(id, o, Out.Value, 'write')
  })
}

/**
 * Options of the stat family.
 *
 * @group Options and arguments
 */
export interface StatOptions extends RequestOptions {
  /** Fulfil with a `BigIntStats`: every number an exact bigint, the times also in nanoseconds. */
  bigint?: boolean
}

/** Whether `options` asks for `BigIntStats`. */
function wantsBigInt(options: unknown): boolean {
  if (options === undefined || options === null) return false
  const b = validateObject(options, 'options').bigint
  return b === undefined ? false : validateBoolean(b, 'options.bigint')
}

/**
 * A stat: answered during the call when the binding's JS-thread policy allows it and the
 * kernel's caches do (crates/eio-node/src/submit.rs), else by the pool. Only requests with
 * no signal or group to wire may be answered so.
 */
function statOf(p: NativePath | undefined, fd: number, o: Opts, follow: boolean, bigint: boolean, syscall: string): Promise<Stats | BigIntStats> {
  const now = o.signal === undefined && o.group === undefined
  const id = binding.stat(o.priority, p?.dir ?? null, p?.path, fd, follow, bigint, now)
  if (id === ANSWERED_NOW) return answeredNow(statNow(bigint))
  return track(id, o, Out.Value, syscall, p?.display)
}

/** The binding's stat of a string path, a raw Node-API function (crates/eio-node/src/submit.rs). */
const nativeStat = binding.statFunction()
/** Its flags: the priority plus 4 in the low four bits, then these. */
const PRI_FLAGS = PRI_DEFAULT - PRI_MIN
const STAT_FOLLOW = 1 << 4
const STAT_NOW = 1 << 6

/**
 * `stat`/`lstat` of a string path with no options, the call made most often: no option
 * object to read, no closure, one native call of two arguments. The same checks and
 * results as the general path, which takes the cases it does not.
 */
function statString(path: string, follow: boolean): Promise<Stats> {
  const syscall = follow ? 'stat' : 'lstat'
  try {
    if (path.length === 0 || path.includes('\u0000')) return statOf(toPath(path), -1, NO_OPTIONS, follow, false, syscall) as Promise<Stats>
    const id = nativeStat(PRI_FLAGS | STAT_NOW | (follow ? STAT_FOLLOW : 0), absolute(path) as string)
    if (id === ANSWERED_NOW) return answeredNow(statNow(false) as Stats)
    return track(id, NO_OPTIONS, Out.Value, syscall, path)
  } catch (err) {
    return Promise.reject(err)
  }
}

/**
 * `aio_stat`: status of a path (following symlinks) or of an fd. With `{ bigint: true }`,
 * a `BigIntStats` (as `fs.stat`'s option).
 *
 * @group Core requests
 */
export function stat(pathOrFd: PathLike | FdLike, options: StatOptions & { bigint: true }): Promise<BigIntStats>
export function stat(pathOrFd: PathLike | FdLike, options?: StatOptions): Promise<Stats>
export function stat(pathOrFd: PathLike | FdLike, options?: StatOptions): Promise<Stats | BigIntStats> {
  if (options === undefined && typeof pathOrFd === 'string') return statString(pathOrFd, true)
  return request(options, (o) => {
    validateOptionKeys(options, STAT_OPTIONS)
    const bigint = wantsBigInt(options)
    if (isFdLike(pathOrFd)) return statOf(undefined, validateFd(pathOrFd), o, true, bigint, 'fstat')
    return statOf(toPath(pathOrFd), -1, o, true, bigint, 'stat')
  })
}

/**
 * `aio_lstat`: status of a path, not following a final symlink. `{ bigint: true }`: a `BigIntStats`.
 *
 * @group Core requests
 */
export function lstat(path: PathLike, options: StatOptions & { bigint: true }): Promise<BigIntStats>
export function lstat(path: PathLike, options?: StatOptions): Promise<Stats>
export function lstat(path: PathLike, options?: StatOptions): Promise<Stats | BigIntStats> {
  if (options === undefined && typeof path === 'string') return statString(path, false)
  return request(options, (o) => {
    validateOptionKeys(options, LSTAT_OPTIONS)
    return statOf(toPath(path), -1, o, false, wantsBigInt(options), 'lstat')
  })
}

/**
 * `aio_unlink`.
 *
 * @group Core requests
 */
export function unlink(path: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, UNLINK_OPTIONS)
    const p = toPath(path)
    return track(binding.unlink(o.priority, p.dir, p.path), o, Out.Void, 'unlink', p.display)
  })
}

/**
 * Options of `mkdir`.
 *
 * @group Options and arguments
 */
export interface MkdirOptions extends RequestOptions {
  /**
   * `mkdir -p`: also create the missing directories above `path` (each with `mode`), and
   * resolve to the first directory created (as `path` spells it, Node's rule), or
   * `undefined` when they all existed. An existing directory is no error; an existing
   * non-directory is `EEXIST` at `path` and `ENOTDIR` above it, as with Node.
   */
  recursive?: boolean
}

/**
 * `aio_mkdir`; with `recursive`, `mkdir -p` (see {@link MkdirOptions.recursive}).
 *
 * @group Core requests
 */
export function mkdir(path: PathLike, mode?: number | string, options?: MkdirOptions & { recursive?: false }): Promise<void>
export function mkdir(path: PathLike, mode: number | string | undefined, options: MkdirOptions & { recursive: true }): Promise<string | undefined>
export function mkdir(path: PathLike, mode?: number | string, options?: MkdirOptions): Promise<string | undefined | void>
export function mkdir(path: PathLike, mode: number | string = 0o777, options?: MkdirOptions): Promise<string | undefined | void> {
  return request(options, (o) => {
    validateOptionKeys(options, MKDIR_OPTIONS)
    const p = toPath(path)
    const m = validateMode(mode, 'mode', 0o777)
    const recursive = options?.recursive === undefined ? false : validateBoolean(options.recursive, 'options.recursive')
    if (recursive) return track(binding.mkdirp(o.priority, p.dir, p.path, m), o, Out.Value, 'mkdir', p.display)
    return track(binding.mkdir(o.priority, p.dir, p.path, m), o, Out.Void, 'mkdir', p.display)
  })
}

/**
 * `aio_rmdir`.
 *
 * @group Core requests
 */
export function rmdir(path: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, RMDIR_OPTIONS)
    const p = toPath(path)
    return track(binding.rmdir(o.priority, p.dir, p.path), o, Out.Void, 'rmdir', p.display)
  })
}

/**
 * `aio_rename` (and the newer `aio_rename2`): `flags` takes `RENAME_NOREPLACE`,
 * `RENAME_EXCHANGE`, `RENAME_WHITEOUT`.
 *
 * @group Core requests
 */
export function rename(src: PathLike, dst: PathLike, flags = 0, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, RENAME_OPTIONS)
    const from = toPath(src, 'src')
    const to = toPath(dst, 'dst')
    const fl = validateInt32(flags ?? 0, 'flags', 0)
    const id = binding.rename(o.priority, from.dir, from.path, to.dir, to.path, fl)
    return track(id, o, Out.Void, 'rename', from.display, to.display)
  })
}

/**
 * `aio_readdir`: the names in a directory, without `.` and `..`, unsorted.
 *
 * @group Core requests
 */
export function readdir(path: PathLike, options: NamesOptions & { encoding: 'buffer' }): Promise<Buffer[]>
export function readdir(path: PathLike, options?: NamesOptions): Promise<string[]>
export function readdir(path: PathLike, options?: NamesOptions): Promise<string[] | Buffer[]> {
  return request(options, (o) => {
    validateOptionKeys(options, READDIR_OPTIONS)
    const p = toPath(path)
    const buffers = options == null ? false : validateEncoding(validateObject(options, 'options').encoding, 'options.encoding')
    return track(binding.readdir(o.priority, p.dir, p.path, buffers), o, Out.Value, 'scandir', p.display)
  })
}

