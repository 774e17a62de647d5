// File and descriptor requests beyond the core: sendfile, readahead, statvfs, utime,
// lutime, chown, chmod, truncate, allocate, the sync family, pathsync, fiemap. Each validates,
// normalises and makes one binding call; none throws (bad arguments reject).

import { binding } from './native.js'
import { Out, request, track } from './engine.js'
import type { Opts, RequestOptions } from './engine.js'
import { invalidArgType, outOfRange } from './errors.js'
import { isFdLike, toPath } from './paths.js'
import type { FdLike, NativePath, PathLike } from './paths.js'
import {
  isUnusableProxy,
  MAX_SAFE,
  optionKeys,
  REQUEST_OPTIONS,
  validateFd,
  validateInt32,
  validateInteger,
  validateMode,
  validateOffset,
  validateOptionKeys,
  validateUint32,
} from './validators.js'
import type { FiemapExtent, StatVfs } from './wire.js'

export type { FdLike } from './paths.js'
export type { FiemapExtent, StatVfs } from './wire.js'


/**
 * A time for `utime` and `lutime`: seconds since the epoch (fractions kept to the
 * nanosecond a double holds), a numeric string, a Date (milliseconds), or a `bigint` of
 * nanoseconds since the epoch (exact: what `fs.statSync(p, { bigint: true }).mtimeNs` or
 * eio's `Stats.mtimeNsec` give back).
 *
 * @group Options and arguments
 */
export type TimeLike = number | string | Date | bigint

const SENDFILE_OPTIONS = optionKeys('sendfile', REQUEST_OPTIONS)
const READAHEAD_OPTIONS = optionKeys('readahead', REQUEST_OPTIONS)
const STATVFS_OPTIONS = optionKeys('statvfs', REQUEST_OPTIONS)
const UTIME_OPTIONS = optionKeys('utime', REQUEST_OPTIONS)
const LUTIME_OPTIONS = optionKeys('lutime', REQUEST_OPTIONS)
const CHOWN_OPTIONS = optionKeys('chown', REQUEST_OPTIONS)
const CHMOD_OPTIONS = optionKeys('chmod', REQUEST_OPTIONS)
const TRUNCATE_OPTIONS = optionKeys('truncate', REQUEST_OPTIONS)
const ALLOCATE_OPTIONS = optionKeys('allocate', REQUEST_OPTIONS)
const FSYNC_OPTIONS = optionKeys('fsync', REQUEST_OPTIONS)
const FDATASYNC_OPTIONS = optionKeys('fdatasync', REQUEST_OPTIONS)
const SYNCFS_OPTIONS = optionKeys('syncfs', REQUEST_OPTIONS)
const SYNC_OPTIONS = optionKeys('sync', REQUEST_OPTIONS)
const SYNC_FILE_RANGE_OPTIONS = optionKeys('syncFileRange', REQUEST_OPTIONS)
const PATHSYNC_OPTIONS = optionKeys('pathsync', REQUEST_OPTIONS)
const FIEMAP_OPTIONS = optionKeys('fiemap', REQUEST_OPTIONS)

const UNCHANGED_ID = 0xffffffff
const MAX_ID = 2 ** 32 - 1
/** The most extents one `fiemap` call may ask for (56 bytes of buffer each). */
const MAX_FIEMAP_COUNT = 2 ** 20

/** A path or an fd, as the binding takes it: `path` absent means `fd`. */
interface PathOrFd {
  dir: NativePath['dir']
  path: NativePath['path'] | undefined
  display: NativePath['display'] | undefined
  fd: number
}

function targetOf(value: unknown): PathOrFd {
  if (isFdLike(value)) return { dir: null, path: undefined, display: undefined, fd: validateFd(value, 'fd') }
  const p = toPath(value)
  return { dir: p.dir, path: p.path, display: p.display, fd: -1 }
}

/** The syscall an error names: the fd form's (`fchmod`) or the path form's (`chmod`). */
function syscallOf(t: PathOrFd, pathName: string, fdName: string): string {
  return t.path === undefined ? fdName : pathName
}

/** A uid or gid: -1, null or undefined leave it unchanged (0xffffffff for the kernel). */
function validateId(value: unknown, name: string): number {
  if (value === null || value === undefined) return UNCHANGED_ID
  const id = validateInteger(value, name, -1, MAX_ID)
  return id === -1 ? UNCHANGED_ID : id
}

const NS_PER_S = 1_000_000_000n
const MAX_NS = BigInt(MAX_SAFE) * NS_PER_S

/** A time as seconds and nanoseconds, after Node's toUnixTimestamp (but exact to the ns). */
function timespec(value: unknown, name: string): [number, number] {
  if (typeof value === 'bigint') {
    if (value > MAX_NS || value < -MAX_NS) throw outOfRange(name, `>= ${-MAX_NS}n && <= ${MAX_NS}n nanoseconds`, value)
    // Floor division: -1n ns is 1969-12-31T23:59:59.999999999, second -1 and 999999999 ns.
    let sec = value / NS_PER_S
    let nsec = value % NS_PER_S
    if (nsec < 0n) {
      sec -= 1n
      nsec += NS_PER_S
    }
    return [Number(sec), Number(nsec)]
  }
  if (isUnusableProxy(value)) throw invalidArgType(name, 'a valid Date or time in seconds', value)
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) throw invalidArgType(name, 'a valid Date or time in seconds', value)
    const sec = Math.floor(ms / 1000)
    return [sec, (ms - sec * 1000) * 1e6]
  }
  let t = value
  if (typeof t === 'string' && t.trim() !== '' && Number.isFinite(+t)) t = +t
  if (typeof t !== 'number' || !Number.isFinite(t)) throw invalidArgType(name, 'of type number or bigint or an instance of Date', value)
  if (Math.abs(t) > MAX_SAFE) throw outOfRange(name, `>= ${-MAX_SAFE} && <= ${MAX_SAFE}`, value)
  let sec = Math.floor(t)
  // `t - sec` is exact; rounding gives the nanosecond nearest the double.
  let nsec = Math.round((t - sec) * 1e9)
  if (nsec >= 1e9) {
    sec += 1
    nsec -= 1e9
  }
  return [sec, nsec]
}

/**
 * `aio_sendfile`: copies `length` bytes of `inFd`, starting at `inOffset`, to `outFd` at
 * its file position (which advances; `inFd`'s position does not move). Uses `sendfile(2)`,
 * looping past its 2 GiB per-call cap, and copies with pread/write where the kernel refuses
 * the pair (e.g. an `O_APPEND` output). Fulfils with the bytes written: fewer than `length`
 * at end of file, or when a non-blocking output fills up.
 *
 * @group Files and descriptors
 */
export function sendfile(outFd: FdLike, inFd: FdLike, inOffset: number | bigint, length: number | bigint, options?: RequestOptions): Promise<number> {
  return request(options, (o) => {
    validateOptionKeys(options, SENDFILE_OPTIONS)
    const out = validateFd(outFd, 'outFd')
    const inp = validateFd(inFd, 'inFd')
    const off = validateOffset(inOffset, 'inOffset')
    const len = validateOffset(length, 'length')
    return track(binding.sendfile(o.priority, out, inp, off, len), o, Out.Value, 'sendfile')
  })
}

/**
 * `aio_readahead`: loads `length` bytes at `offset` into the page cache (`readahead(2)`;
 * EINVAL for a pipe or other file that cannot be read ahead). The file position is unchanged.
 *
 * @group Files and descriptors
 */
export function readahead(fd: FdLike, offset: number | bigint, length: number | bigint, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, READAHEAD_OPTIONS)
    const f = validateFd(fd)
    const off = validateOffset(offset, 'offset')
    const len = validateOffset(length, 'length')
    return track(binding.readahead(o.priority, f, off, len), o, Out.Void, 'readahead')
  })
}

/**
 * `aio_statvfs`: statistics of the filesystem holding a path (symlinks followed) or an
 * fd: `{ bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax }`.
 *
 * @group Files and descriptors
 */
export function statvfs(pathOrFd: PathLike | FdLike, options?: RequestOptions): Promise<StatVfs> {
  return request(options, (o) => {
    validateOptionKeys(options, STATVFS_OPTIONS)
    const t = targetOf(pathOrFd)
    const id = binding.statvfs(o.priority, t.dir, t.path, t.fd)
    return track(id, o, Out.Value, syscallOf(t, 'statvfs', 'fstatvfs'), t.display)
  })
}

/**
 * `aio_utime`: sets the access and modification times of a path (symlinks followed) or an
 * fd. Times are seconds since the epoch with fractions, numeric strings, Dates, or bigints
 * of nanoseconds (exact to the nanosecond). Both `null`/`undefined` set both to now; one
 * alone counts as 0 (IO::AIO).
 *
 * @group Files and descriptors
 */
export function utime(pathOrFd: PathLike | FdLike, atime: TimeLike | null | undefined, mtime: TimeLike | null | undefined, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, UTIME_OPTIONS)
    const t = targetOf(pathOrFd)
    return setTimes(o, t, true, atime, mtime, syscallOf(t, 'utime', 'futime'))
  })
}

/**
 * Sets the access and modification times of a path itself: of a symlink, its own times,
 * not its target's (`utimensat` with `AT_SYMLINK_NOFOLLOW`; Node's `lutimes`). IO::AIO has
 * no such request. Times as for `utime`.
 *
 * @group Files and descriptors
 */
export function lutime(path: PathLike, atime: TimeLike | null | undefined, mtime: TimeLike | null | undefined, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, LUTIME_OPTIONS)
    const p = toPath(path)
    return setTimes(o, { dir: p.dir, path: p.path, display: p.display, fd: -1 }, false, atime, mtime, 'lutime')
  })
}

/** The one binding call of `utime` and `lutime` (`follow` false: a symlink's own times). */
function setTimes(o: Opts, t: PathOrFd, follow: boolean, atime: unknown, mtime: unknown, syscall: string): Promise<void> {
  const now = atime == null && mtime == null
  const [as, an] = now ? [0, 0] : timespec(atime ?? 0, 'atime')
  const [ms, mn] = now ? [0, 0] : timespec(mtime ?? 0, 'mtime')
  const id = binding.utime(o.priority, t.dir, t.path, t.fd, follow, now, as, an, ms, mn)
  return track(id, o, Out.Void, syscall, t.display)
}

/**
 * `aio_chown`: changes the owner and group of a path (symlinks followed) or an fd;
 * `-1`, `null` or `undefined` leave that one unchanged.
 *
 * @group Files and descriptors
 */
export function chown(pathOrFd: PathLike | FdLike, uid: number | null | undefined, gid: number | null | undefined, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, CHOWN_OPTIONS)
    const t = targetOf(pathOrFd)
    const u = validateId(uid, 'uid')
    const g = validateId(gid, 'gid')
    const id = binding.chown(o.priority, t.dir, t.path, t.fd, u, g)
    return track(id, o, Out.Void, syscallOf(t, 'chown', 'fchown'), t.display)
  })
}

/**
 * `aio_chmod`: changes the mode of a path (symlinks followed) or an fd; `mode` a number or an octal string.
 *
 * @group Files and descriptors
 */
export function chmod(pathOrFd: PathLike | FdLike, mode: number | string, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, CHMOD_OPTIONS)
    const t = targetOf(pathOrFd)
    if (mode === undefined || mode === null) throw invalidArgType('mode', 'of type number or string', mode)
    const m = validateMode(mode, 'mode', 0)
    const id = binding.chmod(o.priority, t.dir, t.path, t.fd, m)
    return track(id, o, Out.Void, syscallOf(t, 'chmod', 'fchmod'), t.display)
  })
}

/**
 * `aio_truncate`: sets the size of a path's file or an fd's file to `length` (default 0).
 *
 * @group Files and descriptors
 */
export function truncate(pathOrFd: PathLike | FdLike, length: number | bigint = 0, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, TRUNCATE_OPTIONS)
    const t = targetOf(pathOrFd)
    const len = validateOffset(length ?? 0, 'length')
    const id = binding.truncate(o.priority, t.dir, t.path, t.fd, len)
    return track(id, o, Out.Void, syscallOf(t, 'truncate', 'ftruncate'), t.display)
  })
}

/**
 * `aio_allocate`: `fallocate(2)`. `mode` is 0 (allocate) or `FALLOC_FL_*`: `KEEP_SIZE`,
 * `PUNCH_HOLE | KEEP_SIZE`, `ZERO_RANGE`, `COLLAPSE_RANGE`, `INSERT_RANGE`,
 * `UNSHARE_RANGE`. Rejects with EOPNOTSUPP where the filesystem lacks a mode.
 *
 * @group Files and descriptors
 */
export function allocate(fd: FdLike, mode: number, offset: number | bigint, length: number | bigint, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, ALLOCATE_OPTIONS)
    const f = validateFd(fd)
    const m = validateInt32(mode, 'mode', 0)
    const off = validateOffset(offset, 'offset')
    const len = validateOffset(length, 'length')
    return track(binding.allocate(o.priority, f, m, off, len), o, Out.Void, 'fallocate')
  })
}

/**
 * `aio_fsync`: flushes an fd's data and metadata to the device.
 *
 * @group Files and descriptors
 */
export function fsync(fd: FdLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, FSYNC_OPTIONS)
    return track(binding.fsync(o.priority, validateFd(fd)), o, Out.Void, 'fsync')
  })
}

/**
 * `aio_fdatasync`: flushes an fd's data (and the metadata needed to read it); fsync where the kernel lacks it.
 *
 * @group Files and descriptors
 */
export function fdatasync(fd: FdLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, FDATASYNC_OPTIONS)
    return track(binding.fdatasync(o.priority, validateFd(fd)), o, Out.Void, 'fdatasync')
  })
}

/**
 * `aio_syncfs`: flushes the whole filesystem an fd is on (where the kernel lacks syncfs: `sync()`, then ENOSYS, as IO::AIO).
 *
 * @group Files and descriptors
 */
export function syncfs(fd: FdLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, SYNCFS_OPTIONS)
    return track(binding.syncfs(o.priority, validateFd(fd)), o, Out.Void, 'syncfs')
  })
}

/**
 * `aio_sync`: flushes every filesystem.
 *
 * @group Files and descriptors
 */
export function sync(options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, SYNC_OPTIONS)
    return track(binding.sync(o.priority), o, Out.Void, 'sync')
  })
}

/**
 * `aio_sync_file_range`: starts and/or waits for writeback of `nbytes` at `offset`
 * (`nbytes` 0: to the end of the file); `flags` combines `SYNC_FILE_RANGE_*`.
 *
 * @group Files and descriptors
 */
export function syncFileRange(fd: FdLike, offset: number | bigint, nbytes: number | bigint, flags: number, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, SYNC_FILE_RANGE_OPTIONS)
    const f = validateFd(fd)
    const off = validateOffset(offset, 'offset')
    const n = validateOffset(nbytes, 'nbytes')
    const fl = validateUint32(flags, 'flags')
    return track(binding.syncFileRange(o.priority, f, off, n, fl), o, Out.Void, 'sync_file_range')
  })
}

/**
 * `aio_pathsync`: opens a path read-only, fsyncs and closes it: after renames or
 * creations, syncs a directory's entries. Errors name `open` or `fsync`.
 *
 * @group Files and descriptors
 */
export function pathsync(path: PathLike, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, PATHSYNC_OPTIONS)
    const p = toPath(path)
    return track(binding.pathsync(o.priority, p.dir, p.path), o, Out.Void, 'fsync', p.display)
  })
}

/**
 * `aio_fiemap`: the extents of `[start, start + length)` of an fd's file (`length` null:
 * to the end), `flags` a combination of `FIEMAP_FLAG_*` (EBADR for unknown ones).
 * `count` null fetches every extent (the one crossing the end included), working
 * around kernels that return them piecemeal; a number makes one FIEMAP call for at most
 * that many; 0 fulfils with the number of extents instead.
 *
 * @group Files and descriptors
 */
export function fiemap(
  fd: FdLike,
  start: number | bigint,
  length: number | bigint | null | undefined,
  flags: number,
  count: number | null | undefined,
  options?: RequestOptions,
): Promise<FiemapExtent[] | number> {
  return request(options, (o) => {
    validateOptionKeys(options, FIEMAP_OPTIONS)
    const f = validateFd(fd)
    const s = validateOffset(start, 'start')
    const len = length === null || length === undefined ? -1 : validateOffset(length, 'length')
    const fl = validateUint32(flags ?? 0, 'flags')
    const n = count === null || count === undefined ? -1 : validateInteger(count, 'count', 0, MAX_FIEMAP_COUNT)
    return track(binding.fiemap(o.priority, f, s, len, fl, n), o, Out.Value, 'ioctl')
  })
}
