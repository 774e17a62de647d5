// IO::AIO's synchronous "miscellaneous functions": they run on the calling thread and
// throw Node-style errors (`code`, negative `errno`, `syscall`) on failure; bad arguments
// throw ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE / ERR_INVALID_ARG_VALUE.
//
// The binding reports a failure as the negative errno in place of the result (see
// crates/eio-node/src/sync_helpers.rs); `check` turns it into the error.

import { constants as bufferConstants } from 'node:buffer'

import { binding } from './native.js'
import { errnoError, invalidArgType, invalidArgValue, outOfRange } from './errors.js'
import type { FdLike } from './paths.js'
import { byteRange } from './ranges.js'
import {
  MAX_SAFE,
  validateBuffer,
  validateFd,
  validateInt32,
  validateInteger,
  validateLength,
  validateOffset,
  validateUint32,
} from './validators.js'


const UINT64_MAX = 2n ** 64n - 1n

/** The result, or the error for `syscall` if the binding reported a negative errno. */
function check<T>(result: T | number, syscall: string): T {
  if (typeof result === 'number' && result < 0) throw errnoError(-result, syscall)
  return result as T
}

/** As `check`, for functions that need a Buffer from `mmap()` (for some arguments). */
function checkMapped(result: number, syscall: string, buffer: unknown, reason = 'must be a Buffer returned by mmap()'): void {
  if (result === binding.NOT_EIO_MAPPING) throw invalidArgValue('buffer', buffer, reason)
  check(result, syscall)
}

/** A position that may be null or undefined (the file position): -1 then. */
function optionalOffset(value: unknown, name: string): number | bigint {
  return value === null || value === undefined ? -1 : validateOffset(value, name)
}

/**
 * IO::AIO's `sendfile`: copies `length` bytes of `inFd` from `offset` to `outFd` at its
 * file position, blocking; returns the bytes written, fewer at end of file or when a
 * non-blocking `outFd` is full. Falls back to read/write where the kernel cannot
 * sendfile; never moves `inFd`'s file position.
 *
 * @group Synchronous helpers
 */
export function sendfileSync(outFd: FdLike, inFd: FdLike, offset: number | bigint, length: number | bigint): number {
  const out = validateFd(outFd, 'outFd')
  const input = validateFd(inFd, 'inFd')
  const off = validateOffset(offset, 'offset')
  const len = validateOffset(length, 'length')
  return check(binding.sendfileSync(out, input, off, len), 'sendfile')
}

/**
 * `posix_fadvise`: tells the kernel how `[offset, offset + length)` of `fd` will be read
 * (`FADV_NORMAL`, `FADV_SEQUENTIAL`, `FADV_RANDOM`, `FADV_NOREUSE`, `FADV_WILLNEED`,
 * `FADV_DONTNEED`); `length` 0 means to the end of the file.
 *
 * @group Synchronous helpers
 */
export function fadvise(fd: FdLike, offset: number | bigint, length: number | bigint, advice: number): void {
  const f = validateFd(fd)
  const off = validateOffset(offset, 'offset')
  const len = validateOffset(length, 'length')
  const a = validateInt32(advice, 'advice')
  check(binding.fadvise(f, off, len, a), 'posix_fadvise')
}

/**
 * `madvise`: advice (`MADV_*`) about the pages of a range of `buffer` (offset 0 and length
 * undefined: all of it), widened to whole pages. Any advice on a Buffer from `mmap()`; on
 * other buffers, whose pages may hold other objects too, only the hints `MADV_NORMAL`,
 * `MADV_RANDOM`, `MADV_SEQUENTIAL` and `MADV_WILLNEED` (others: ERR_INVALID_ARG_VALUE).
 *
 * @group Memory
 */
export function madvise(
  buffer: ArrayBufferView,
  offset: number | bigint | null | undefined,
  length: number | bigint | null | undefined,
  advice: number,
): void {
  const buf = validateBuffer(buffer, 'buffer')
  const [off, len] = byteRange(buf, offset, length)
  const a = validateInt32(advice, 'advice')
  checkMapped(binding.madvise(buf, off, len, a), 'madvise', buffer, 'must be a Buffer returned by mmap() for this advice')
}

/**
 * `mprotect`: sets the protection (`PROT_*`) of a range of a Buffer from `mmap()`, widened
 * to whole pages. As in C, touching the Buffer against its protection kills the process.
 *
 * @group Memory
 */
export function mprotect(
  buffer: ArrayBufferView,
  offset: number | bigint | null | undefined,
  length: number | bigint | null | undefined,
  prot: number,
): void {
  const buf = validateBuffer(buffer, 'buffer')
  const [off, len] = byteRange(buf, offset, length)
  const p = validateInt32(prot, 'prot')
  checkMapped(binding.mprotect(buf, off, len, p), 'mprotect', buffer)
}

/**
 * `mmap`: maps `length` bytes of `fd` from `offset` (a multiple of the page size), or
 * anonymous memory (`MAP_ANONYMOUS`, no `fd`), and returns a Buffer over the mapping.
 * `prot`: `PROT_*`; `flags`: `MAP_SHARED` or `MAP_PRIVATE`, plus `MAP_*` extras
 * (`MAP_FIXED` is refused with EINVAL, as eio takes no address). The mapping goes away
 * with `munmap()`, or when the Buffer is garbage-collected (the collector does not count
 * mapped bytes, so unmap large mappings explicitly). As in C, writing to a mapping without
 * `PROT_WRITE`, or reading past the end of the file, kills the process.
 *
 * @group Memory
 */
export function mmap(length: number, prot: number, flags: number, fd?: FdLike | null, offset?: number | bigint | null): Buffer {
  const len = validateInteger(length, 'length', 1, bufferConstants.MAX_LENGTH)
  const p = validateInt32(prot, 'prot')
  const f = validateInt32(flags, 'flags')
  const file = fd === undefined || fd === null ? -1 : validateFd(fd)
  const off = offset === undefined || offset === null ? 0 : validateOffset(offset, 'offset')
  return check(binding.mmap(len, p, f, file, off), 'mmap')
}

/**
 * `munmap`: unmaps a Buffer that `mmap()` returned. The Buffer (with every view of its
 * memory) is detached first, so nothing can reach the memory afterwards; requests still
 * working on it keep it mapped until they finish. Unmapping again is a no-op; any other
 * buffer is ERR_INVALID_ARG_VALUE.
 *
 * @group Memory
 */
export function munmap(buffer: ArrayBufferView): void {
  if (!ArrayBuffer.isView(buffer)) throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', buffer)
  checkMapped(binding.munmap(buffer), 'munmap', buffer)
}

/**
 * `munlock`: unlocks the pages of a range of `buffer` (see `mlock()`).
 *
 * @group Memory
 */
export function munlock(buffer: ArrayBufferView, offset?: number | bigint | null, length?: number | bigint | null): void {
  const buf = validateBuffer(buffer, 'buffer')
  const [off, len] = byteRange(buf, offset, length)
  check(binding.munlock(buf, off, len), 'munlock')
}

/**
 * `munlockall`: unlocks all of the process's pages (see `mlockall()`).
 *
 * @group Memory
 */
export function munlockall(): void {
  check(binding.munlockall(), 'munlockall')
}

/**
 * `splice`: moves up to `length` bytes from `rfd` to `wfd`, one of which must be a pipe;
 * returns the bytes moved (0 at end of input). `rOff`/`wOff`: where to read/write in a
 * file, or null for its file position. `flags`: `SPLICE_F_*`.
 *
 * @group Synchronous helpers
 */
export function splice(
  rfd: FdLike,
  rOff: number | bigint | null | undefined,
  wfd: FdLike,
  wOff: number | bigint | null | undefined,
  length: number | bigint,
  flags = 0,
): number {
  const r = validateFd(rfd, 'rfd')
  const ro = optionalOffset(rOff, 'rOff')
  const w = validateFd(wfd, 'wfd')
  const wo = optionalOffset(wOff, 'wOff')
  const len = validateLength(length, 'length')
  const f = validateUint32(flags, 'flags')
  return check(binding.splice(r, ro, w, wo, len, f), 'splice')
}

/**
 * `tee`: copies up to `length` bytes from the pipe `rfd` to the pipe `wfd` without
 * consuming them; returns the bytes copied. `flags`: `SPLICE_F_*`.
 *
 * @group Synchronous helpers
 */
export function tee(rfd: FdLike, wfd: FdLike, length: number | bigint, flags = 0): number {
  const r = validateFd(rfd, 'rfd')
  const w = validateFd(wfd, 'wfd')
  const len = validateLength(length, 'length')
  const f = validateUint32(flags, 'flags')
  return check(binding.tee(r, w, len, f), 'tee')
}

/**
 * The capacity of the pipe `fd` in bytes (`F_GETPIPE_SZ`); with `size`, first sets it to
 * at least `size` (`F_SETPIPE_SZ`) and returns what the kernel chose.
 *
 * @group Synchronous helpers
 */
export function pipesize(fd: FdLike, size?: number | null): number {
  const f = validateFd(fd)
  const s = size === undefined || size === null ? -1 : validateInt32(size, 'size', 0)
  return check(binding.pipesize(f, s), 'fcntl')
}

/**
 * `pipe2`: a new pipe, `[readFd, writeFd]`. `flags`: `O_NONBLOCK`, `O_DIRECT`. The fds are
 * always close-on-exec (`O_CLOEXEC` is added), as Perl's `pipe` makes them and as Node's
 * own fds are: pass them to a child explicitly (`stdio`).
 *
 * @group Synchronous helpers
 */
export function pipe2(flags = 0): [number, number] {
  const f = validateInt32(flags, 'flags')
  return check(binding.pipe2(f), 'pipe2')
}

/** A device id: a safe integer or a bigint of up to 64 bits (`Stats.dev`, `Stats.rdev`). */
function validateDev(value: unknown): number | bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > UINT64_MAX) throw outOfRange('dev', `>= 0 && <= ${UINT64_MAX}`, value)
    return value
  }
  return validateInteger(value, 'dev', 0, MAX_SAFE)
}

/**
 * The major number of a device id (`Stats.rdev`), as glibc's `major()`.
 *
 * @group Synchronous helpers
 */
export function major(dev: number | bigint): number {
  return binding.major(validateDev(dev))
}

/**
 * The minor number of a device id, as glibc's `minor()`.
 *
 * @group Synchronous helpers
 */
export function minor(dev: number | bigint): number {
  return binding.minor(validateDev(dev))
}

/**
 * The device id of `major` and `minor` (glibc's `makedev()`): a number, or a bigint when too large for one.
 *
 * @group Synchronous helpers
 */
export function makedev(major: number, minor: number): number | bigint {
  const dev = binding.makedev(validateUint32(major, 'major'), validateUint32(minor, 'minor'))
  return dev <= BigInt(MAX_SAFE) ? Number(dev) : dev
}
