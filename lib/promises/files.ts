// Whole files: readFile, writeFile, appendFile, on a path (one eio request: open, read
// or write everything, close) or on an open FileHandle (one request at its position).
// Node makes a round trip through its pool per step (open, fstat, read... close) and per
// 512 KiB chunk written; the result and the errors are the same.

import { isArrayBufferView } from 'node:util/types'

import { binding } from '../native.js'
import { Out, request, track } from '../engine.js'
import type { Opts } from '../engine.js'
import { abortError, errnoError, invalidArgType } from '../errors.js'
import type { ErrnoException } from '../errors.js'
import { toPath } from '../paths.js'
import { close as eioClose, open as eioOpen } from '../requests.js'
import { fsync } from '../meta.js'
import { validateBuffer } from '../validators.js'
import { getOptions, getValidatedPath, parseFileMode, stringToFlags, validateAbortSignal, validateBoolean } from './args.js'
import type { Options, PathLike } from './args.js'
// A type only (erased): handle.ts imports this module, not the other way round at run time.
import type { FileHandle } from './handle.js'
import { settle } from './call.js'
import { aggregateTwoErrors, fileTooLarge } from './errors.js'

/** Marks `FileHandle`s, so that this module tells them from paths without importing them. */
export const kFileHandle = Symbol('io-aio.FileHandle')

/** What this module needs of a `FileHandle` (see handle.ts). */
export interface HandleLike {
  readonly [kFileHandle]: true
  readonly fd: number
}

export function isFileHandle(value: unknown): value is HandleLike {
  return typeof value === 'object' && value !== null && (value as Partial<HandleLike>)[kFileHandle] === true
}

/** What `writeFile` and `appendFile` write: bytes, a string, or an iterable of either. */
export type WriteData =
  | string
  | NodeJS.ArrayBufferView
  | Iterable<string | NodeJS.ArrayBufferView>
  | AsyncIterable<string | NodeJS.ArrayBufferView>

/** The options of `readFile`. */
export interface ReadFileOptions {
  /** Decode the contents as this encoding (default: a Buffer). */
  encoding?: BufferEncoding | null
  /** `open` flags (default 'r'). */
  flag?: string | number
  /** Aborting stops the read (between chunks of 8 MiB) and rejects with an AbortError. */
  signal?: AbortSignal
}

/** The options of `writeFile` and `appendFile`. */
export interface WriteFileOptions {
  /** The encoding of string data (default 'utf8'). */
  encoding?: BufferEncoding | null
  /** The mode of a new file (default 0o666, before the umask). */
  mode?: string | number
  /** `open` flags (default 'w'; 'a' for appendFile). */
  flag?: string | number
  /** fsync the file before closing it (default false). */
  flush?: boolean
  /** Aborting stops the write (between chunks) and rejects with an AbortError. */
  signal?: AbortSignal
}

/** A read that went past Node's limit (2 GiB - 1): eio reports it as EFBIG from `read`. */
function isTooLarge(err: unknown): boolean {
  const e = err as ErrnoException
  return e?.code === 'EFBIG' && e.syscall === 'read'
}

/**
 * Node's errors name the path only for the step that uses it (`open`); `read`, `write`,
 * `fsync` and `close` errors act on a descriptor and show none.
 */
function pathOnlyForOpen(err: unknown): unknown {
  const e = err as ErrnoException
  if (typeof e?.errno !== 'number' || e.path === undefined || e.syscall === 'open') return err
  const bare = errnoError(-e.errno, e.syscall)
  bare.stack = `${bare.name}: ${bare.message}${(e.stack ?? '').slice((e.stack ?? '').indexOf('\n'))}`
  return bare
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal)
}

function requestOptions(signal: AbortSignal | undefined): { signal?: AbortSignal } | undefined {
  return signal === undefined ? undefined : { signal }
}

/** One readFile request: `path` opened with `flags`, or `fd` from its position. */
async function readWhole(target: PathLike | number, flags: number, options: Options): Promise<string | Buffer> {
  const signal = options.signal as AbortSignal | undefined
  let bytes: Buffer
  try {
    bytes = await settle(
      request(requestOptions(signal), (o: Opts) => {
        if (typeof target === 'number') return track<Buffer>(binding.readFile(o.priority, null, null, target, 0), o, Out.Value, 'read')
        const at = toPath(target)
        return track<Buffer>(binding.readFile(o.priority, at.dir, at.path, -1, flags), o, Out.Value, 'open', at.display)
      }),
    )
  } catch (err) {
    if (isTooLarge(err)) throw fileTooLarge('> 2147483647')
    throw pathOnlyForOpen(err)
  }
  const encoding = options.encoding as BufferEncoding | undefined | null
  return encoding ? bytes.toString(encoding) : bytes
}

/**
 * The contents of a file: a path (opened with `options.flag`, default 'r') or an open
 * `FileHandle` (read from its position), as a Buffer or, with `options.encoding`, a
 * string. A regular file is read up to the size it has when opened (as in Node); more
 * than 2 GiB - 1 bytes rejects with `ERR_FS_FILE_TOO_LARGE`.
 */
export async function readFile(path: PathLike | FileHandle, options?: ({ encoding?: null } & ReadFileOptions) | null): Promise<Buffer>
export async function readFile(path: PathLike | FileHandle, options: ({ encoding: BufferEncoding } & ReadFileOptions) | BufferEncoding): Promise<string>
export async function readFile(path: PathLike | FileHandle, options?: ReadFileOptions | BufferEncoding | null): Promise<string | Buffer>
export async function readFile(path: PathLike | FileHandle, options?: ReadFileOptions | BufferEncoding | null): Promise<string | Buffer> {
  const o = getOptions(options, { flag: 'r' })
  if (isFileHandle(path)) return readFileOfHandle(path, o)
  checkAborted(o.signal as AbortSignal | undefined)
  const p = getValidatedPath(path)
  const flags = stringToFlags(o.flag || 'r')
  return await readWhole(p, flags, o)
}

/** `readFile` of an open handle: from its file position to the end. */
export async function readFileOfHandle(handle: HandleLike, options: Options): Promise<string | Buffer> {
  checkAborted(options.signal as AbortSignal | undefined)
  return await readWhole(handle.fd, 0, options)
}

function isCustomIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  if (value == null || typeof value === 'string' || isArrayBufferView(value)) return false
  const v = value as Record<symbol, unknown>
  return typeof v[Symbol.iterator] === 'function' || typeof v[Symbol.asyncIterator] === 'function'
}

/** writeFile's data, checked as Node checks it: bytes, an iterable, or a string. */
function writeData(data: unknown, encoding: BufferEncoding): string | NodeJS.ArrayBufferView | Iterable<unknown> | AsyncIterable<unknown> {
  if (isArrayBufferView(data)) return validateBuffer(data, 'data') as NodeJS.ArrayBufferView
  if (isCustomIterable(data)) return data
  if (typeof data !== 'string') {
    throw invalidArgType('data', 'of type string or an instance of Buffer, TypedArray, or DataView', data)
  }
  // UTF-8 strings go to the request as they are (it encodes them); others become bytes.
  return encoding === 'utf8' || encoding === 'utf-8' ? data : Buffer.from(data, encoding)
}

/** One writeFile request of all of `data` to `target`: a path opened per `options`, or an fd. */
function writeWhole(
  target: { fd: number } | { path: string | Buffer; flags: number; mode: number },
  data: string | NodeJS.ArrayBufferView,
  flush: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  return settle(
    request(requestOptions(signal), (o: Opts) => {
      if ('fd' in target) {
        return track<void>(binding.writeFile(o.priority, null, null, target.fd, 0, 0, data, flush), o, Out.Void, 'write')
      }
      const at = toPath(target.path)
      const id = binding.writeFile(o.priority, at.dir, at.path, -1, target.flags, target.mode, data, flush)
      return track<void>(id, o, Out.Void, 'open', at.display)
    }),
  ).catch((err) => {
    throw pathOnlyForOpen(err)
  })
}

/** Writes each chunk of an iterable, in order, at the fd's position. */
async function writeChunks(fd: number, chunks: Iterable<unknown> | AsyncIterable<unknown>, encoding: BufferEncoding, signal: AbortSignal | undefined): Promise<void> {
  checkAborted(signal)
  for await (const chunk of chunks as AsyncIterable<unknown>) {
    checkAborted(signal)
    const bytes = isArrayBufferView(chunk) ? chunk : Buffer.from(chunk as string, encoding || 'utf8')
    await writeWhole({ fd }, bytes, false, signal)
  }
}

/**
 * Writes `data` to a file: a path (opened with `options.flag`, default 'w', created with
 * `options.mode`), or an open `FileHandle` (at its position). Strings are encoded with
 * `options.encoding` (default 'utf8'); iterables and async iterables (streams) are
 * written chunk by chunk. `options.flush` fsyncs the file before it is closed.
 */
export async function writeFile(path: PathLike | FileHandle, data: WriteData, options?: WriteFileOptions | BufferEncoding | null): Promise<void> {
  const o = getOptions(options, { encoding: 'utf8', mode: 0o666, flag: 'w', flush: false })
  const flag = o.flag || 'w'
  const flush = validateBoolean(o.flush ?? false, 'options.flush')
  const encoding = (o.encoding || 'utf8') as BufferEncoding
  const bytes = writeData(data, encoding)
  const signal = validateAbortSignal(o.signal, 'options.signal')
  if (isFileHandle(path)) return writeFileToHandle(path, bytes, signal, encoding)
  checkAborted(signal)
  const p = getValidatedPath(path)
  const flags = stringToFlags(flag)
  const mode = parseFileMode(o.mode, 'mode', 0o666)
  if (!isCustomIterable(bytes)) return writeWhole({ path: p, flags, mode }, bytes as string | NodeJS.ArrayBufferView, flush, signal)
  // An iterable: open, write chunk by chunk, close (Node's order, and its error handling).
  const fd = await settle(eioOpen(p, flags, mode))
  let failure: unknown
  try {
    await writeChunks(fd, bytes, encoding, signal)
    if (flush) await settle(fsync(fd))
  } catch (err) {
    failure = err
  }
  await closeAfter(() => settle(eioClose(fd)), failure)
}

/**
 * Closes what an operation used after it failed with `failure` (or succeeded): Node's
 * `handleFdClose`, which reports both errors when both fail.
 */
export async function closeAfter(close: () => Promise<void>, failure: unknown): Promise<void> {
  try {
    await close()
  } catch (closeError) {
    throw failure === undefined ? closeError : aggregateTwoErrors(closeError, failure)
  }
  if (failure !== undefined) throw failure
}

/** `writeFile` of an open handle: at its position. */
export async function writeFileToHandle(
  handle: HandleLike,
  data: string | NodeJS.ArrayBufferView | Iterable<unknown> | AsyncIterable<unknown>,
  signal: AbortSignal | undefined,
  encoding: BufferEncoding,
): Promise<void> {
  checkAborted(signal)
  if (isCustomIterable(data)) return writeChunks(handle.fd, data, encoding, signal)
  if (typeof data !== 'string' && data.byteLength === 0) return
  return writeWhole({ fd: handle.fd }, data, false, signal)
}

/** `writeFile` with `options.flag` defaulting to 'a': appends `data` to the file. */
export async function appendFile(path: PathLike | FileHandle, data: WriteData, options?: WriteFileOptions | BufferEncoding | null): Promise<void> {
  const o = { ...getOptions(options, { encoding: 'utf8', mode: 0o666, flag: 'a' }) }
  o.flag = o.flag || 'a'
  return writeFile(path, data, o as WriteFileOptions)
}
