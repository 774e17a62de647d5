// Requests on memory: msync, mtouch, mlock, mlockall. They work best on Buffers from
// `mmap()`, which eio owns: a request holds the mapping natively, so it stays valid even if
// `munmap()` is called meanwhile. On any other buffer they only pass its address to system
// calls that validate it (see crates/eio-core/src/ops/mem.rs), and the buffer is kept
// reachable here until the request settles.
//
// Ranges: `offset` (default 0, negative: from the end) and `length` (default: to the end,
// negative: stop that many bytes before the end), inside the buffer (see ranges.ts).

import { binding } from './native.js'
import { constants } from './constants.js'
import { Out, request, track } from './engine.js'
import type { RequestOptions } from './engine.js'
import { invalidArgValue } from './errors.js'
import { byteRange } from './ranges.js'
import { optionKeys, REQUEST_OPTIONS, validateBuffer, validateInt32, validateOptionKeys } from './validators.js'

const MSYNC_OPTIONS = optionKeys('msync', REQUEST_OPTIONS)
const MTOUCH_OPTIONS = optionKeys('mtouch', REQUEST_OPTIONS)
const MLOCK_OPTIONS = optionKeys('mlock', REQUEST_OPTIONS)
const MLOCKALL_OPTIONS = optionKeys('mlockall', REQUEST_OPTIONS)

/** The completion of a request on `buf`: fulfils with undefined, holding `buf` till then. */
function holding(buf: ArrayBufferView): () => undefined {
  return () => void buf
}

/**
 * `aio_msync`: writes the dirty pages of a shared file mapping (a Buffer from `mmap()`)
 * in the range back to the file. `flags`: `MS_SYNC` (the default, as IO::AIO ≥ 4.4),
 * `MS_ASYNC`, `MS_INVALIDATE`. The range is widened to whole pages.
 *
 * @group Memory
 */
export function msync(
  buffer: ArrayBufferView,
  offset?: number | bigint | null,
  length?: number | bigint | null,
  flags?: number | null,
  options?: RequestOptions,
): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, MSYNC_OPTIONS)
    const buf = validateBuffer(buffer, 'buffer')
    const [off, len] = byteRange(buf, offset, length)
    const f = flags === undefined || flags === null ? constants.MS_SYNC : validateInt32(flags, 'flags')
    return track(binding.msync(o.priority, buf, off, len, f), o, holding(buf), 'msync')
  })
}

/**
 * `aio_mtouch`: faults in every page of the range, so that later accesses do not wait for
 * the disk. `flags` 0 (the default) reads each page; `MT_MODIFY` writes each, which breaks
 * copy-on-write and dirties file pages, without changing a byte. Where a real access would
 * kill the process it rejects instead: EFAULT past the end of the file, EINVAL where the
 * protection forbids the access.
 * Cancelling stops it between chunks. Needs Linux 5.14 (`MADV_POPULATE_*`), else ENOSYS.
 *
 * @group Memory
 */
export function mtouch(
  buffer: ArrayBufferView,
  offset?: number | bigint | null,
  length?: number | bigint | null,
  flags?: number | null,
  options?: RequestOptions,
): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, MTOUCH_OPTIONS)
    const buf = validateBuffer(buffer, 'buffer')
    const [off, len] = byteRange(buf, offset, length)
    const f = flags === undefined || flags === null ? 0 : validateInt32(flags, 'flags')
    if (f !== 0 && f !== constants.MT_MODIFY) throw invalidArgValue('flags', flags, 'must be 0 or MT_MODIFY')
    return track(binding.mtouch(o.priority, buf, off, len, f !== 0), o, holding(buf), 'mtouch')
  })
}

/**
 * `aio_mlock`: faults in and locks the pages of the range into RAM (undo with
 * `munlock()`, or by unmapping). Needs `CAP_IPC_LOCK` or room under `RLIMIT_MEMLOCK`.
 *
 * @group Memory
 */
export function mlock(
  buffer: ArrayBufferView,
  offset?: number | bigint | null,
  length?: number | bigint | null,
  options?: RequestOptions,
): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, MLOCK_OPTIONS)
    const buf = validateBuffer(buffer, 'buffer')
    const [off, len] = byteRange(buf, offset, length)
    return track(binding.mlock(o.priority, buf, off, len), o, holding(buf), 'mlock')
  })
}

/**
 * `aio_mlockall`: locks all of the process's pages, `MCL_CURRENT` ones and/or `MCL_FUTURE`
 * ones (`MCL_ONFAULT`: as they are touched). Undo with `munlockall()`.
 *
 * @group Memory
 */
export function mlockall(flags: number, options?: RequestOptions): Promise<void> {
  return request(options, (o) => {
    validateOptionKeys(options, MLOCKALL_OPTIONS)
    const f = validateInt32(flags, 'flags')
    return track(binding.mlockall(o.priority, f), o, Out.Void, 'mlockall')
  })
}
