// Byte ranges inside a buffer, as IO::AIO's memory functions take them (msync, mtouch,
// mlock, madvise, mprotect, munlock): `offset` defaults to 0 and counts from the end when
// negative; `length` undefined or null means "to the end", and a negative length ends the
// range that many bytes before the end. The range must lie inside the buffer: beyond it is
// ERR_OUT_OF_RANGE (IO::AIO silently shortens it, which hides bugs).

import { outOfRange } from './errors.js'
import { validateInteger } from './validators.js'

/** An integer (number or bigint) in `[min, max]`, as a number. */
function index(value: unknown, name: string, min: number, max: number): number {
  if (typeof value === 'bigint') {
    if (value < BigInt(min) || value > BigInt(max)) throw outOfRange(name, `>= ${min} && <= ${max}`, value)
    return Number(value)
  }
  return validateInteger(value, name, min, max)
}

/** `[start, length]` in bytes of the range `offset`/`length` of `buf`. */
export function byteRange(buf: ArrayBufferView, offset: unknown, length: unknown): [number, number] {
  const size = buf.byteLength
  let start = offset === undefined || offset === null ? 0 : index(offset, 'offset', -size, size)
  if (start < 0) start += size
  if (length === undefined || length === null) return [start, size - start]
  const len = index(length, 'length', start - size, size - start)
  return [start, len < 0 ? size + len - start : len]
}
