// Argument validation, after Node's lib/internal/validators.js: `(value, name, ...bounds)`;
// a wrong type is ERR_INVALID_ARG_TYPE, a number out of range or not an integer is
// ERR_OUT_OF_RANGE, a bad value of the right type is ERR_INVALID_ARG_VALUE.

import { types } from 'node:util'

import { binding } from './native.js'
import { invalidArgType, invalidArgValue, invalidState, outOfRange } from './errors.js'

export const MAX_SAFE = Number.MAX_SAFE_INTEGER
const INT64_MAX = 2n ** 63n - 1n
/** The most bytes Linux moves in one read or write call. */
export const MAX_RW = 0x7ffff000

/**
 * Whether `value` is a Proxy that cannot be inspected: revoked (or with throwing traps).
 * Every type test on one (`instanceof`, `in`, `Array.isArray`) throws a bare TypeError,
 * so validators ask this first and reject it as the wrong type.
 */
export function isUnusableProxy(value: unknown): boolean {
  if (!types.isProxy(value)) return false
  try {
    Reflect.getPrototypeOf(value as object)
    return false
  } catch {
    return true
  }
}

export function validateInteger(value: unknown, name: string, min = -MAX_SAFE, max = MAX_SAFE): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value)
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value)
  return value
}

export function validateInt32(value: unknown, name: string, min = -(2 ** 31), max = 2 ** 31 - 1): number {
  return validateInteger(value, name, min, max)
}

export function validateUint32(value: unknown, name: string): number {
  return validateInteger(value, name, 0, 2 ** 32 - 1)
}

export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value)
  return value
}

export function validateFunction(value: unknown, name: string): (...args: unknown[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value)
  return value as (...args: unknown[]) => unknown
}

export function validateObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isUnusableProxy(value) || Array.isArray(value)) {
    throw invalidArgType(name, 'of type object', value)
  }
  return value as Record<string, unknown>
}

/** A non-negative number of seconds (fractions allowed). */
export function validateSeconds(value: unknown, name: string): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value)
  if (!(value >= 0) || value === Infinity) throw outOfRange(name, 'a finite number >= 0', value)
  return value
}

/** A file descriptor: a non-negative int32, or an object with one as `fd` (a FileHandle). */
export function validateFd(value: unknown, name = 'fd'): number {
  if (typeof value === 'object' && value !== null && !isUnusableProxy(value) && 'fd' in value) {
    return validateInt32((value as { fd: unknown }).fd, `${name}.fd`, 0)
  }
  return validateInt32(value, name, 0)
}

/**
 * A file position: `null`, `undefined`, -1 or -1n mean "the current position" (returned
 * as -1); otherwise a safe integer or a bigint up to 2**63-1, returned as a number or, when
 * larger than a double holds exactly, as a bigint.
 */
export function validatePosition(value: unknown, name: string): number | bigint {
  if (value === null || value === undefined) return -1
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
    if (value < -1 || value > MAX_SAFE) throw outOfRange(name, `>= -1 && <= ${MAX_SAFE}`, value)
    return value
  }
  if (typeof value === 'bigint') {
    if (value < -1n || value > INT64_MAX) throw outOfRange(name, `>= -1 && <= ${INT64_MAX}`, value)
    return value <= BigInt(MAX_SAFE) ? Number(value) : value
  }
  throw invalidArgType(name, 'of type number or bigint', value)
}

/** A non-negative offset or length, as a number or bigint; returns a number or bigint. */
export function validateOffset(value: unknown, name: string): number | bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
    if (value < 0 || value > MAX_SAFE) throw outOfRange(name, `>= 0 && <= ${MAX_SAFE}`, value)
    return value
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value > INT64_MAX) throw outOfRange(name, `>= 0 && <= ${INT64_MAX}`, value)
    return value <= BigInt(MAX_SAFE) ? Number(value) : value
  }
  throw invalidArgType(name, 'of type number or bigint', value)
}

/** A signed 64-bit offset (for `seek`), as a number or bigint. */
export function validateInt64(value: unknown, name: string): number | bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
    if (Math.abs(value) > MAX_SAFE) throw outOfRange(name, `>= ${-MAX_SAFE} && <= ${MAX_SAFE}`, value)
    return value
  }
  if (typeof value === 'bigint') {
    if (value < -INT64_MAX - 1n || value > INT64_MAX) throw outOfRange(name, 'a signed 64-bit integer', value)
    return value
  }
  throw invalidArgType(name, 'of type number or bigint', value)
}

/** A length or offset that must fit a JS number (buffer indices). */
export function validateLength(value: unknown, name: string, max = MAX_SAFE): number {
  if (typeof value === 'bigint') {
    if (value < 0n || value > BigInt(max)) throw outOfRange(name, `>= 0 && <= ${max}`, value)
    return Number(value)
  }
  return validateInteger(value, name, 0, max)
}

/** Any typed array or DataView; never one whose ArrayBuffer was detached. */
export function validateBuffer(value: unknown, name: string): ArrayBufferView {
  if (!ArrayBuffer.isView(value)) {
    throw invalidArgType(name, 'an instance of Buffer, TypedArray, or DataView', value)
  }
  // A detached typed array reads as empty; only then is the (slower) native check worth
  // it. A DataView's byteLength throws instead, when detached or when its resizable buffer
  // shrank below it: either way the view has no bytes to use.
  let size: number
  try {
    size = value.byteLength
  } catch {
    throw invalidState(`the ArrayBuffer of "${name}" is detached or smaller than the view`)
  }
  if (size === 0 && binding.isDetached(value)) {
    throw invalidState(`the ArrayBuffer of "${name}" is detached`)
  }
  return value
}

/** `[offset, offset + length)` must lie inside `size` bytes. */
export function validateRange(offset: number, length: number, size: number, offsetName: string, lengthName: string): void {
  if (offset > size) throw outOfRange(offsetName, `<= ${size}`, offset)
  if (length > size - offset) throw outOfRange(lengthName, `<= ${size - offset}`, length)
}

/** A file mode: an integer or an octal string ('755'), as Node's parseFileMode. */
export function validateMode(value: unknown, name: string, def: number): number {
  if (value === undefined || value === null) return def
  if (typeof value === 'string') {
    if (!/^[0-7]+$/.test(value)) throw invalidArgValue(name, value, 'must be a 32-bit unsigned integer or an octal string')
    value = parseInt(value, 8)
  }
  return validateInteger(value, name, 0, 2 ** 32 - 1) & 0xffffffff
}

/** Node's string flags (`'r'`, `'w+'`, `'ax'`...) or a number. */
export function validateOpenFlags(value: unknown, name: string, O: Record<string, number>): number {
  if (value === undefined || value === null) return O.O_RDONLY
  if (typeof value === 'number') return validateInt32(value, name)
  // Node 20 reports flags of any other type as an invalid value, not an invalid type.
  if (typeof value !== 'string') throw invalidArgValue(name, value, 'is invalid')
  const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_EXCL, O_SYNC } = O
  switch (value) {
    case 'r': return O_RDONLY
    case 'rs': case 'sr': return O_RDONLY | O_SYNC
    case 'r+': return O_RDWR
    case 'rs+': case 'sr+': return O_RDWR | O_SYNC
    case 'w': return O_TRUNC | O_CREAT | O_WRONLY
    case 'wx': case 'xw': return O_TRUNC | O_CREAT | O_WRONLY | O_EXCL
    case 'w+': return O_TRUNC | O_CREAT | O_RDWR
    case 'wx+': case 'xw+': return O_TRUNC | O_CREAT | O_RDWR | O_EXCL
    case 'a': return O_APPEND | O_CREAT | O_WRONLY
    case 'ax': case 'xa': return O_APPEND | O_CREAT | O_WRONLY | O_EXCL
    case 'as': case 'sa': return O_APPEND | O_CREAT | O_WRONLY | O_SYNC
    case 'a+': return O_APPEND | O_CREAT | O_RDWR
    case 'ax+': case 'xa+': return O_APPEND | O_CREAT | O_RDWR | O_EXCL
    case 'as+': case 'sa+': return O_APPEND | O_CREAT | O_RDWR | O_SYNC
  }
  throw invalidArgValue(name, value, 'is invalid')
}

/** An `AbortSignal` (or anything that quacks like one). */
export function validateSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined
  if (
    value === null ||
    typeof value !== 'object' ||
    isUnusableProxy(value) ||
    !('aborted' in value) ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  ) {
    throw invalidArgType(name, 'an instance of AbortSignal', value)
  }
  return value as AbortSignal
}

/** 'utf8' (names as strings, the default) or 'buffer' (names as Buffers). */
export function validateEncoding(value: unknown, name: string): boolean {
  if (value === undefined || value === null || value === 'utf8' || value === 'utf-8') return false
  if (value === 'buffer') return true
  throw invalidArgValue(name, value, "must be 'utf8' or 'buffer'")
}

/** The options every request takes. */
export const REQUEST_OPTIONS = ['signal', 'priority', 'group'] as const

/** The option keys a function accepts, made once per function by `optionKeys`. */
export interface OptionKeys {
  /** The function's name, as errors show it. */
  readonly fn: string
  /** The accepted keys (a null-prototype lookup table). */
  readonly keys: Readonly<Record<string, true>>
}

/** The accepted option keys of `fn`, for `validateOptionKeys`. */
export function optionKeys(fn: string, keys: readonly string[]): OptionKeys {
  const table = Object.create(null) as Record<string, true>
  for (const key of keys) table[key] = true
  return Object.freeze({ fn, keys: Object.freeze(table) })
}

/**
 * What eio offers instead of an option that Node's fs (or fs-extra) takes, by
 * `function.key`, else by key. Shown when a caller passes one to a function without it.
 */
const EQUIVALENTS: Readonly<Record<string, string>> = {
  'readdir.withFileTypes': 'readdirx(path, constants.READDIR_DENTS) and readdirIter(path) give entries with their types',
  'readdir.recursive': 'walk(root) lists a whole tree',
  'rmdir.recursive': 'rmtree(path) removes a whole tree',
  'stat.throwIfNoEntry': 'a missing path rejects with ENOENT',
  'lstat.throwIfNoEntry': 'a missing path rejects with ENOENT',
  withFileTypes: 'readdirx(path, constants.READDIR_DENTS), readdirIter(path) and walk(root) give entries with their types',
  recursive: 'walk(root) lists, copy(src, dst, { recursive: true }) copies, mkdir(path, mode, { recursive: true }) creates and rmtree(path) removes a whole tree',
  bigint: 'stat and lstat take { bigint: true }',
  encoding: "the requests that return names take { encoding: 'buffer' }",
  filter: 'copy(src, dst, { recursive: true, filter }) takes a filter',
  overwrite: 'copy and move take { overwrite }',
  errorOnExist: 'copy takes { errorOnExist }',
  force: 'rmtree(path, { force: true }) ignores a missing path',
}

/**
 * Rejects every own key of `options` that `accepted` does not name, with
 * ERR_INVALID_ARG_VALUE naming what eio offers instead where it offers something: a
 * misspelt or foreign option (`{ withFileTypes }` on `readdir`) must not be silently
 * ignored. `options` undefined or null passes; the caller has validated that it is an
 * object. Values are not read (a getter is never called).
 */
export function validateOptionKeys(options: unknown, accepted: OptionKeys, name = 'options'): void {
  if (options === undefined || options === null) return
  const o = options as Record<string, unknown>
  for (const key in o) {
    if (accepted.keys[key] === true || !Object.hasOwn(o, key)) continue
    throw unknownOption(o, key, accepted, name)
  }
}

function unknownOption(o: Record<string, unknown>, key: string, accepted: OptionKeys, name: string): TypeError {
  const desc = Object.getOwnPropertyDescriptor(o, key)
  const value = desc !== undefined && 'value' in desc ? desc.value : undefined
  const takes = Object.keys(accepted.keys).join(', ')
  const instead = EQUIVALENTS[`${accepted.fn}.${key}`] ?? EQUIVALENTS[key]
  const reason = `is not an option of ${accepted.fn} (it takes ${takes})${instead === undefined ? '' : `: ${instead}`}`
  return invalidArgValue(`${name}.${key}`, value, reason)
}
