// The errors of Node's fs that io-aio/promises raises beyond those of lib/errors.ts, with
// Node's codes, classes and messages (lib/internal/errors.js). Codes are what callers and
// tests compare; messages follow Node's wording where it is stable.

import { constants as osConstants } from 'node:os'
import { getSystemErrorMap } from 'node:util'

import { nodeError } from '../errors.js'

/** `ERR_DIR_CLOSED`: a `Dir` was used after `close()`. */
export function dirClosed(): Error {
  return nodeError(Error, 'ERR_DIR_CLOSED', 'Directory handle was closed')
}

/** `ERR_DIR_CONCURRENT_OPERATION`: `readSync`/`closeSync` while an asynchronous read runs. */
export function dirConcurrentOperation(): Error {
  return nodeError(
    Error,
    'ERR_DIR_CONCURRENT_OPERATION',
    'Cannot do synchronous work on directory handle with concurrent asynchronous operations',
  )
}

/** `ERR_FS_FILE_TOO_LARGE`: `readFile` of more than 2 GiB - 1 bytes. */
export function fileTooLarge(size: number | string): RangeError {
  return nodeError(RangeError, 'ERR_FS_FILE_TOO_LARGE', `File size (${size}) is greater than 2 GiB`)
}

/** `ERR_METHOD_NOT_IMPLEMENTED`, as Node's `lchmod` gives it where the platform has no `O_SYMLINK`. */
export function methodNotImplemented(method: string): Error {
  return nodeError(Error, 'ERR_METHOD_NOT_IMPLEMENTED', `The ${method} method is not implemented`)
}

/** `ERR_FS_INVALID_SYMLINK_TYPE`: `symlink`'s type is not 'dir', 'file' or 'junction'. */
export function invalidSymlinkType(type: string): Error {
  return nodeError(
    Error,
    'ERR_FS_INVALID_SYMLINK_TYPE',
    `Symlink type must be one of "dir", "file", or "junction". Received "${type}"`,
  )
}

/** `ERR_INCOMPATIBLE_OPTION_PAIR`: two options that exclude each other. */
export function incompatibleOptionPair(a: string, b: string): TypeError {
  return nodeError(TypeError, 'ERR_INCOMPATIBLE_OPTION_PAIR', `Option "${a}" cannot be used in combination with option "${b}"`)
}

/** The error of an operation on a `FileHandle` that was closed: `EBADF`, as Node's. */
export function fileClosed(syscall: string): Error {
  const err = new Error('file closed') as Error & { code: string; syscall: string }
  err.code = 'EBADF'
  err.syscall = syscall
  return err
}

/** What a Node `SystemError` describes: the failed call and what it acted on. */
export interface SystemErrorContext {
  /** The errno's name: `'EISDIR'`. */
  code: string
  /** Its description: `'is a directory'`. */
  message: string
  /** The call that failed (`'rm'`, `'cp'`). */
  syscall: string
  /** The path it acted on. */
  path?: string
  /** The second path, for two-path calls. */
  dest?: string
}

const errnoByName = new Map<string, number>()
for (const [errno, [name]] of getSystemErrorMap()) errnoByName.set(name, errno)

/**
 * Node's `SystemError` (`ERR_FS_EISDIR`, `ERR_FS_CP_*`): `name` 'SystemError', `code` the
 * Node code, `info` the context, and `errno`, `syscall`, `path`, `dest` from it; the
 * message is `${prefix}: ${syscall} returned ${code} (${message}) ${path}`.
 */
export function systemError(code: string, prefix: string, ctx: SystemErrorContext): Error {
  let message = `${prefix}: ${ctx.syscall} returned ${ctx.code} (${ctx.message})`
  if (ctx.path !== undefined) message += ` ${ctx.path}`
  if (ctx.dest !== undefined) message += ` => ${ctx.dest}`
  const err = new Error(message) as Error & Record<string, unknown>
  const errno = errnoByName.get(ctx.code) ?? -(osConstants.errno as Record<string, number>)[ctx.code]
  const info = { ...ctx, errno }
  Object.defineProperties(err, {
    name: { value: 'SystemError', enumerable: false, writable: true, configurable: true },
    code: { value: code, enumerable: true, writable: true, configurable: true },
    info: { value: info, enumerable: true, configurable: true },
    errno: { get: () => info.errno, enumerable: true, configurable: true },
    syscall: { get: () => info.syscall, enumerable: true, configurable: true },
  })
  if (ctx.path !== undefined) Object.defineProperty(err, 'path', { get: () => info.path, enumerable: true, configurable: true })
  if (ctx.dest !== undefined) Object.defineProperty(err, 'dest', { get: () => info.dest, enumerable: true, configurable: true })
  err.stack = `SystemError [${code}]: ${message}${(err.stack ?? '').slice((err.stack ?? '').indexOf('\n'))}`
  return err
}

/**
 * Node's `aggregateTwoErrors(inner, outer)`: both errors of a failed operation and of the
 * close after it, as one `AggregateError` carrying the operation's code.
 */
export function aggregateTwoErrors(inner: unknown, outer: unknown): unknown {
  if (inner && outer && inner !== outer) {
    const err = new AggregateError([outer, inner], (outer as Error).message) as AggregateError & { code?: unknown }
    err.code = (outer as { code?: unknown }).code
    return err
  }
  return inner || outer
}
