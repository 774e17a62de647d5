// Argument handling of Node's fs/promises (lib/internal/fs/utils.js and
// lib/internal/validators.js): the same checks, in the same order, with the same codes,
// so that a bad argument is reported exactly as node:fs/promises reports it, before any
// request is made.

import { fileURLToPath } from 'node:url'

import { invalidArgType, invalidArgValue, outOfRange } from '../errors.js'
import { constants } from '../constants.js'
import { validateInteger, validateMode, validateOpenFlags, validateSignal } from '../validators.js'

/** Node's `PathLike`: a string, a Buffer (any Uint8Array) or a `file:` URL. */
export type PathLike = string | Buffer | URL

/** A path as the requests take it: the string or bytes to open. */
export type Path = string | Buffer

/** Node's `isURL`: a WHATWG URL object (or one that looks like it). */
function isURL(value: unknown): value is URL {
  return (
    value instanceof URL ||
    (value != null &&
      typeof (value as URL).href === 'string' &&
      typeof (value as URL).protocol === 'string' &&
      (value as { auth?: unknown }).auth === undefined &&
      (value as { path?: unknown }).path === undefined)
  )
}

/**
 * Node's `getValidatedPath`: a `file:` URL becomes its path (other schemes:
 * `ERR_INVALID_URL_SCHEME`), then the path must be a string or a Uint8Array
 * (`ERR_INVALID_ARG_TYPE`) without NUL bytes (`ERR_INVALID_ARG_VALUE`).
 */
export function getValidatedPath(value: unknown, name = 'path'): Path {
  const path = isURL(value) ? fileURLToPath(value) : value
  if (typeof path === 'string') {
    if (path.includes('\u0000')) throw nulInPath(name, path)
    return path
  }
  if (path instanceof Uint8Array) {
    if (path.includes(0)) throw nulInPath(name, path)
    return Buffer.isBuffer(path) ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength)
  }
  throw invalidArgType(name, 'of type string or an instance of Buffer or URL', path)
}

function nulInPath(name: string, path: unknown): TypeError {
  return invalidArgValue(name, path, 'must be a string, Uint8Array, or URL without null bytes')
}

/** Options after Node's `getOptions`: an object, with `encoding` checked. */
export type Options = Record<string, unknown>

const EMPTY: Options = Object.freeze({}) as Options

/**
 * Node's `getOptions`: `null`, `undefined` (or a function) give `defaults`; a string is
 * the encoding; anything else but an object is `ERR_INVALID_ARG_TYPE`. The encoding must
 * be one Buffer knows (or 'buffer'), and a signal an AbortSignal.
 */
export function getOptions(options: unknown, defaults: Options = EMPTY): Options {
  if (options == null || typeof options === 'function') return defaults
  let o: Options
  if (typeof options === 'string') {
    o = { ...defaults, encoding: options }
  } else if (typeof options !== 'object') {
    throw invalidArgType('options', 'of type string or an instance of Object', options)
  } else {
    o = options as Options
  }
  if (o.encoding !== 'buffer') assertEncoding(o.encoding)
  if (o.signal !== undefined) validateAbortSignal(o.signal, 'options.signal')
  return o
}

/** Node's `assertEncoding`: a falsy encoding is none; else Buffer must know it. */
export function assertEncoding(encoding: unknown): void {
  if (encoding && !Buffer.isEncoding(encoding as string)) {
    // Node passes the encoding as the name here, and 'encoding' as the value.
    throw invalidArgValue(String(encoding), 'encoding', 'is invalid encoding')
  }
}

/** Node's `validateAbortSignal`. */
export function validateAbortSignal(value: unknown, name: string): AbortSignal | undefined {
  return validateSignal(value, name)
}

/** Node's `stringToFlags`: a number (int32), `null`/`undefined` ('r'), or a flag string. */
export function stringToFlags(flags: unknown, name = 'flags'): number {
  return validateOpenFlags(flags, name, constants as unknown as Record<string, number>)
}

/** Node's `parseFileMode`: a uint32 or an octal string; `def` when null or undefined. */
export function parseFileMode(value: unknown, name: string, def?: number): number {
  if (value == null && def === undefined) throw invalidArgType(name, 'of type number', value)
  return validateMode(value, name, def as number)
}

/** Node's `validateBoolean`. */
export function validateBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value)
  return value
}

/** Node's `validateInteger` (safe integers by default). */
export { validateInteger }

/** Node's `validateUint32`; `positive` excludes 0. */
export function validateUint32(value: unknown, name: string, positive = false): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value)
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
  const min = positive ? 1 : 0
  if (value < min || value > 0xffffffff) throw outOfRange(name, `>= ${min} && <= 4294967295`, value)
  return value
}

/** Node's `validateObject` for options that may be null (`kValidateObjectAllowNullable`). */
export function validateObjectOrNull(value: unknown, name: string): void {
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw invalidArgType(name, 'of type object', value)
  }
}

/**
 * Node's `toUnixTimestamp`: seconds since the epoch from a number (a negative one means
 * now, as Node has it), a numeric string or a Date.
 */
export function toUnixTimestamp(time: unknown, name = 'time'): number {
  // Node compares with `==` here: '1.5' and ' 2 ' count as numbers.
  if (typeof time === 'string' && +time == (time as unknown as number)) return +time
  if (typeof time === 'number' && Number.isFinite(time)) return time < 0 ? Date.now() / 1000 : time
  if (time instanceof Date) return time.getTime() / 1000
  throw invalidArgType(name, 'an instance of Date or Time in seconds', time)
}

/** The largest uid or gid (Node's `kMaxUserId`). */
export const MAX_USER_ID = 2 ** 32 - 1

/** A uid or gid as Node checks it: an integer from -1 (leave as is) to 2**32 - 1. */
export function validateId(value: unknown, name: string): number {
  return validateInteger(value, name, -1, MAX_USER_ID)
}
