// Errors shaped like Node's: fs errors carry `code`, a negative `errno`, `syscall`,
// `path` and `dest`, with Node's message format; argument errors carry Node's codes.
// Codes are permanent; messages may change (tests assert codes, never messages).

import { constants as osConstants } from 'node:os'
import { getSystemErrorMap, inspect, types } from 'node:util'

import { binding } from './native.js'

/**
 * An `Error` from a failed system call, as Node's fs produces them.
 *
 * @group Results and errors
 */
export interface ErrnoException extends Error {
  /** The errno's name: `'ENOENT'`. */
  code: string
  /** The negative errno, as Node's: `-2`. */
  errno: number
  /** The system call that failed: `'open'`. */
  syscall: string
  /** The path the request acted on, when it has one (a string, as in Node's errors). */
  path?: string
  /** The second path of two-path requests (`rename`, `link`, `copy`, ...). */
  dest?: string
}

const systemErrors = getSystemErrorMap()
const errnoNames = new Map<number, string>()
for (const [name, value] of Object.entries(osConstants.errno)) errnoNames.set(value, name)

function describe(errno: number): [string, string] {
  const known = systemErrors.get(-errno)
  if (known) return known
  const name = errnoNames.get(errno) ?? (errno === 53 ? 'EBADR' : `E${errno}`)
  return [name, binding.strerror(errno)]
}

function showPath(p: unknown): string {
  return Buffer.isBuffer(p) ? p.toString() : String(p)
}

/** The error for `syscall` failing with the positive `errno`. */
export function errnoError(errno: number, syscall: string, path?: unknown, dest?: unknown): ErrnoException {
  const [code, desc] = describe(errno)
  let message = `${code}: ${desc}, ${syscall}`
  if (path !== undefined) message += ` '${showPath(path)}'`
  if (dest !== undefined) message += ` -> '${showPath(dest)}'`
  const err = new Error(message) as ErrnoException
  err.errno = -errno
  err.code = code
  err.syscall = syscall
  // Node's fs errors always carry paths as strings, even for Buffer and URL arguments.
  if (path !== undefined) err.path = showPath(path)
  if (dest !== undefined) err.dest = showPath(dest)
  return err
}

/**
 * Node's `AbortError`: `name` 'AbortError', `code` 'ABORT_ERR', the reason as `cause`.
 *
 * @group Results and errors
 */
export class AbortError extends Error {
  /** Node's code for an aborted operation. */
  code = 'ABORT_ERR'
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AbortError'
  }
}

export function abortError(signal?: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal?.reason })
}

/** An error of class `Base` with Node's `code`, printed as Node prints them (also used by lib/promises). */
export function nodeError<E extends Error>(Base: new (msg: string) => E, code: string, message: string): E & { code: string } {
  const err = new Base(message) as E & { code: string }
  err.code = code
  // Node shows the code after the name when printing: `TypeError [ERR_X]: ...`.
  const stack = err.stack ?? ''
  const frames = stack.indexOf('\n')
  err.stack = `${Base.name} [${code}]: ${message}${frames >= 0 ? stack.slice(frames) : ''}`
  return err
}

/** How Node's messages show the value received. */
function received(value: unknown): string {
  if (value == null) return ` Received ${value}`
  if (typeof value === 'function') return ` Received function ${value.name}`
  if (typeof value === 'object') {
    if (types.isProxy(value)) return ' Received a Proxy' // its traps may throw or be revoked
    if (value.constructor?.name) return ` Received an instance of ${value.constructor.name}`
    return ` Received ${inspect(value, { depth: -1 })}`
  }
  let shown = inspect(value, { colors: false })
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`
  return ` Received type ${typeof value} (${shown})`
}

export function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  const what = name.includes('.') ? 'property' : 'argument'
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" ${what} must be ${expected}.${received(value)}`)
}

export function outOfRange(name: string, range: string, value: unknown): RangeError {
  const shown = typeof value === 'bigint' ? `${value}n` : inspect(value)
  return nodeError(
    RangeError,
    'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`,
  )
}

export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): TypeError {
  const what = name.includes('.') ? 'property' : 'argument'
  let shown = inspect(value)
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`
  return nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The ${what} '${name}' ${reason}. Received ${shown}`)
}

export function invalidState(message: string): Error {
  return nodeError(Error, 'ERR_INVALID_STATE', `Invalid state: ${message}`)
}

export function invalidUrlScheme(expected: string): TypeError {
  return nodeError(TypeError, 'ERR_INVALID_URL_SCHEME', `The URL must be of scheme ${expected}`)
}

export function invalidFileUrlPath(message: string): TypeError {
  return nodeError(TypeError, 'ERR_INVALID_FILE_URL_PATH', `File URL path ${message}`)
}

export function internalError(message: string): Error {
  return nodeError(Error, 'ERR_INTERNAL_ASSERTION', message)
}
