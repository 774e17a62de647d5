// FileHandle: an open file of io-aio/promises, as node:fs/promises' FileHandle. Every
// method checks its arguments as Node does and makes one eio request on the descriptor.
// Operations in flight hold a reference on the handle, so that `close()` closes the fd
// only once they are done (Node's rule); `close()` emits 'close'.
//
// A handle that is garbage-collected while still open has its fd closed, with the two
// warnings Node 20 prints then ("Closing file descriptor N on garbage collection", and
// DEP0137): a leak is reported, never silent.

import { EventEmitter } from 'node:events'
import type { ReadStream, WriteStream } from 'node:fs'
import type { BigIntStats, Stats } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Interface } from 'node:readline'
import type { ReadableStream } from 'node:stream/web'
import { isArrayBufferView } from 'node:util/types'

import { chmod, chown, fdatasync, fsync, truncate, utime } from '../meta.js'
import { close as eioClose, open as eioOpen, read as eioRead, stat as eioStat, write as eioWrite } from '../requests.js'
import { internalError, invalidArgType, invalidArgValue, invalidState, outOfRange } from '../errors.js'
import {
  getValidatedPath,
  parseFileMode,
  stringToFlags,
  toUnixTimestamp,
  validateId,
  validateInteger,
  validateObjectOrNull,
} from './args.js'
import type { PathLike } from './args.js'
import { settle } from './call.js'
import { fileClosed } from './errors.js'
import { appendFile, kFileHandle, readFile, writeFile } from './files.js'
import type { ReadFileOptions, WriteData, WriteFileOptions } from './files.js'
import { statOptions } from './meta.js'
import type { StatOptions } from './meta.js'
import { toNodeStatsOf } from './stats.js'
import { createReadStream, createWriteStream, readableWebStream } from './streams.js'
import type { CreateReadStreamOptions, CreateWriteStreamOptions } from './streams.js'

/** What `FileHandle.read` fulfils with. */
export interface FileReadResult<T extends NodeJS.ArrayBufferView> {
  /** Bytes read: fewer than asked at the end of the file, 0 past it. */
  bytesRead: number
  /** The buffer read into. */
  buffer: T
}

/** What `FileHandle.write` fulfils with. */
export interface FileWriteResult<T> {
  /** Bytes written (may be fewer than given, as `write(2)` allows). */
  bytesWritten: number
  /** What was written: the buffer, or the string. */
  buffer: T
}

/** Options of `FileHandle.read` in its object forms. */
export interface FileReadOptions<T extends NodeJS.ArrayBufferView = Buffer> {
  /** Where to read to (default: a new 16 KiB Buffer). */
  buffer?: T
  /** Where in `buffer` to start (default 0). */
  offset?: number | null
  /** How many bytes (default: the rest of `buffer`). */
  length?: number | null
  /** Where in the file (default null: the file position, which advances). */
  position?: number | bigint | null
}

/** Options of `FileHandle.readLines` (those of `createReadStream`). */
export type ReadLinesOptions = CreateReadStreamOptions

/** The most bytes Linux moves in one read or write. */
const MAX_RW = 0x7ffff000

function ignore(): void {}

let gcDeprecationWarned = false

/** Closes the fds of handles collected while still open, warning as Node does. */
const collected = new FinalizationRegistry<number>((fd) => {
  process.emitWarning(`Closing file descriptor ${fd} on garbage collection`)
  if (!gcDeprecationWarned) {
    gcDeprecationWarned = true
    process.emitWarning(
      'Closing a FileHandle object on garbage collection is deprecated. Please close FileHandle objects ' +
        'explicitly using FileHandle.prototype.close(). In the future, an error will be thrown if a file ' +
        'descriptor is closed during garbage collection.',
      'DeprecationWarning',
      'DEP0137',
    )
  }
  eioClose(fd).catch(() => {})
})

/** A file position as Node's promise API takes it: a safe integer >= 0, else the current position. */
function filePosition(position: unknown): number | null {
  return typeof position === 'number' && Number.isSafeInteger(position) && position >= 0 ? position : null
}

/** Node's `validateBufferArray`. */
function validateBufferArray(buffers: unknown, name = 'buffers'): NodeJS.ArrayBufferView[] {
  if (!Array.isArray(buffers) || !buffers.every((b) => isArrayBufferView(b))) {
    throw invalidArgType(name, 'an instance of ArrayBufferView[]', buffers)
  }
  return buffers as NodeJS.ArrayBufferView[]
}

function bytesOf(view: NodeJS.ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}

/**
 * An open file: what `open()` fulfils with. `fd` is -1 once closed; operations on a closed
 * handle reject with `EBADF`. Pass it to `readFile`/`writeFile`/`appendFile` as a path.
 */
export class FileHandle extends EventEmitter {
  /** @internal */
  readonly [kFileHandle] = true as const
  #fd: number
  #refs = 1
  #closing: Promise<void> | null | undefined = null
  #closeResolve: (() => void) | undefined
  #closeReject: ((err: unknown) => void) | undefined
  #locked = false

  /** @internal */
  constructor(fd: number) {
    super()
    this.#fd = fd
    collected.register(this, fd, this)
  }

  /** The file descriptor, -1 once the handle is closed. */
  get fd(): number {
    return this.#fd
  }

  /**
   * Runs `op` holding a reference on `handle`: Node's `fsCall`. A closed handle rejects
   * with EBADF naming `syscall`; a method called on something else (`stat.call({})`) with
   * `ERR_INTERNAL_ASSERTION`, as Node's does.
   */
  static async #call<T>(handle: FileHandle, syscall: string, op: (fd: number) => Promise<T>): Promise<T> {
    if (typeof handle !== 'object' || handle === null || !(#fd in handle)) {
      throw internalError('handle must be an instance of FileHandle')
    }
    if (handle.#fd === -1) throw fileClosed(syscall)
    handle.ref()
    try {
      return await op(handle.#fd)
    } finally {
      handle.unref()
    }
  }

  /** @internal Takes a reference (streams hold one): the fd closes when the last is let go. */
  ref(): void {
    this.#refs++
  }

  /** @internal Lets go of a reference; the last one closes the fd. */
  unref(): void {
    this.#refs--
    if (this.#refs === 0) {
      const fd = this.#fd
      this.#fd = -1
      collected.unregister(this)
      settle(eioClose(fd)).then(this.#closeResolve, this.#closeReject ?? ignore)
    }
  }

  /** Appends `data` (as `appendFile` does) at the end of the file or the file position. */
  appendFile(data: WriteData, options?: WriteFileOptions | BufferEncoding | null): Promise<void> {
    return FileHandle.#call(this, 'writeFile', () => appendFile(this, data, options))
  }

  /** Changes the file's permissions (`fchmod`). */
  chmod(mode: string | number): Promise<void> {
    return FileHandle.#call(this, 'fchmod', (fd) => settle(chmod(fd, parseFileMode(mode, 'mode'))))
  }

  /** Changes the file's owner and group (`fchown`); -1 leaves one as it is. */
  chown(uid: number, gid: number): Promise<void> {
    return FileHandle.#call(this, 'fchown', (fd) => {
      const u = validateId(uid, 'uid')
      const g = validateId(gid, 'gid')
      return settle(chown(fd, u, g))
    })
  }

  /** Flushes the file's data to the device (`fdatasync`). */
  datasync(): Promise<void> {
    return FileHandle.#call(this, 'fdatasync', (fd) => settle(fdatasync(fd)))
  }

  /** Flushes the file's data and metadata to the device (`fsync`). */
  sync(): Promise<void> {
    return FileHandle.#call(this, 'fsync', (fd) => settle(fsync(fd)))
  }

  /**
   * Reads into `buffer` at `offset`, `length` bytes from `position` (null or absent: the
   * file position, which advances). Also `read({ buffer, offset, length, position })` and
   * `read(buffer, { offset, length, position })`; without a buffer, a new 16 KiB one.
   */
  read<T extends NodeJS.ArrayBufferView = Buffer>(
    buffer: T,
    offset?: number | null,
    length?: number | null,
    position?: number | bigint | null,
  ): Promise<FileReadResult<T>>
  read<T extends NodeJS.ArrayBufferView = Buffer>(buffer: T, options?: FileReadOptions<T>): Promise<FileReadResult<T>>
  read<T extends NodeJS.ArrayBufferView = Buffer>(options?: FileReadOptions<T>): Promise<FileReadResult<T>>
  read(bufferOrOptions?: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): Promise<FileReadResult<NodeJS.ArrayBufferView>> {
    return FileHandle.#call(this, 'read', (fd) => readAt(fd, bufferOrOptions, offsetOrOptions, length, position))
  }

  /**
   * Reads into `buffers` in order, from `position` (not a number: the file position):
   * one read of their total length, scattered over them.
   */
  readv<T extends NodeJS.ArrayBufferView[]>(buffers: T, position?: number | null): Promise<{ bytesRead: number; buffers: T }> {
    return FileHandle.#call(this, 'readv', async (fd) => {
      validateBufferArray(buffers)
      const pos = typeof position === 'number' ? filePosition(position) : null
      const total = Math.min(buffers.reduce((n, b) => n + b.byteLength, 0), MAX_RW)
      if (total === 0) return { bytesRead: 0, buffers }
      const staging = Buffer.allocUnsafe(total)
      const bytesRead = await settle(eioRead(fd, pos, total, staging, 0))
      let at = 0
      for (const b of buffers) {
        if (at >= bytesRead) break
        const n = Math.min(b.byteLength, bytesRead - at)
        bytesOf(b).set(staging.subarray(at, at + n))
        at += n
      }
      return { bytesRead, buffers }
    })
  }

  /**
   * The rest of the file, from the file position: a Buffer, or a string with `encoding`.
   * `signal` aborts it.
   */
  readFile(options?: ({ encoding?: null } & Omit<ReadFileOptions, 'flag'>) | null): Promise<Buffer>
  readFile(options: ({ encoding: BufferEncoding } & Omit<ReadFileOptions, 'flag'>) | BufferEncoding): Promise<string>
  readFile(options?: Omit<ReadFileOptions, 'flag'> | BufferEncoding | null): Promise<string | Buffer>
  readFile(options?: Omit<ReadFileOptions, 'flag'> | BufferEncoding | null): Promise<string | Buffer> {
    return FileHandle.#call(this, 'readFile', () => readFile(this, options))
  }

  /** The file's lines, as a `readline.Interface` over `createReadStream(options)`. */
  readLines(options?: ReadLinesOptions): Interface {
    return createInterface({ input: this.createReadStream(options), crlfDelay: Infinity })
  }

  /** The file's status (`fstat`): a `fs.Stats`. */
  stat(options?: StatOptions & { bigint?: false }): Promise<Stats>
  stat(options: StatOptions & { bigint: true }): Promise<BigIntStats>
  stat(options?: StatOptions): Promise<Stats | BigIntStats>
  stat(options?: StatOptions): Promise<Stats | BigIntStats> {
    return FileHandle.#call(this, 'fstat', async (fd) => toNodeStatsOf(await settle(eioStat(fd, statOptions(options)))))
  }

  /** Truncates (or extends with zeros) the file to `len` bytes (default 0; negative counts as 0). */
  truncate(len = 0): Promise<void> {
    return FileHandle.#call(this, 'ftruncate', (fd) => settle(truncate(fd, Math.max(0, validateInteger(len, 'len')))))
  }

  /** Sets the file's access and modification times (`futimes`): seconds, numeric strings or Dates. */
  utimes(atime: string | number | Date, mtime: string | number | Date): Promise<void> {
    return FileHandle.#call(this, 'futimes', (fd) => settle(utime(fd, toUnixTimestamp(atime, 'atime'), toUnixTimestamp(mtime, 'mtime'))))
  }

  /**
   * Writes `length` bytes of `buffer` from `offset` at `position` (not a number: the file
   * position), or a string at `position` in `encoding` (default 'utf8'). One `write(2)`:
   * fewer bytes than given may be written.
   */
  write<T extends NodeJS.ArrayBufferView>(
    buffer: T,
    offset?: number | null,
    length?: number | null,
    position?: number | null,
  ): Promise<FileWriteResult<T>>
  write<T extends NodeJS.ArrayBufferView>(buffer: T, options?: { offset?: number; length?: number; position?: number | null }): Promise<FileWriteResult<T>>
  write(data: string, position?: number | null, encoding?: BufferEncoding | null): Promise<FileWriteResult<string>>
  write(buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): Promise<FileWriteResult<unknown>> {
    return FileHandle.#call(this, 'write', (fd) => writeAt(fd, buffer, offsetOrOptions, length, position))
  }

  /** Writes `buffers` in order at `position` (not a number: the file position), in one write. */
  writev<T extends NodeJS.ArrayBufferView[]>(buffers: T, position?: number | null): Promise<{ bytesWritten: number; buffers: T }> {
    return FileHandle.#call(this, 'writev', async (fd) => {
      validateBufferArray(buffers)
      const pos = typeof position === 'number' ? filePosition(position) : null
      if (buffers.length === 0) return { bytesWritten: 0, buffers }
      const data = buffers.length === 1 ? buffers[0] : Buffer.concat(buffers.map(bytesOf))
      const bytesWritten = await settle(eioWrite(fd, pos, undefined, data))
      return { bytesWritten, buffers }
    })
  }

  /** Writes `data` (as `writeFile` does) at the file position. */
  writeFile(data: WriteData, options?: Omit<WriteFileOptions, 'flag' | 'mode'> | BufferEncoding | null): Promise<void> {
    return FileHandle.#call(this, 'writeFile', () => writeFile(this, data, options))
  }

  /**
   * Closes the file, once the operations in flight on it are done; emits 'close'.
   * Closing a closed handle fulfils at once. (A property, as in Node, so that it can be
   * passed around unbound.)
   */
  close = (): Promise<void> => {
    if (this.#fd === -1) return Promise.resolve()
    if (this.#closing) return this.#closing
    this.#refs--
    if (this.#refs === 0) {
      const fd = this.#fd
      this.#fd = -1
      collected.unregister(this)
      this.#closing = settle(eioClose(fd)).finally(() => {
        this.#closing = undefined
      })
    } else {
      this.#closing = new Promise<void>((resolve, reject) => {
        this.#closeResolve = resolve
        this.#closeReject = reject
      }).finally(() => {
        this.#closing = undefined
        this.#closeResolve = undefined
        this.#closeReject = undefined
      })
    }
    this.emit('close')
    return this.#closing
  }

  /** `await using`: closes the handle. */
  async [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** A `fs.ReadStream` of the file (eio reads); `autoClose` (default) closes the handle at its end. */
  createReadStream(options?: CreateReadStreamOptions): ReadStream {
    return createReadStream(this, options)
  }

  /** A `fs.WriteStream` to the file (eio writes); `autoClose` (default) closes the handle at its end. */
  createWriteStream(options?: CreateWriteStreamOptions): WriteStream {
    return createWriteStream(this, options)
  }

  /**
   * A web `ReadableStream` of the file's bytes from its position (`type: 'bytes'`: a byte
   * stream). The handle is locked to it: a second call throws `ERR_INVALID_STATE`.
   */
  readableWebStream(options: { type?: 'bytes' } = {}): ReadableStream<Uint8Array> {
    if (this.#fd === -1) throw invalidState('The FileHandle is closed')
    if (this.#closing) throw invalidState('The FileHandle is closing')
    if (this.#locked) throw invalidState('The FileHandle is locked')
    if (options.type !== undefined && typeof options.type !== 'string') throw invalidArgType('options.type', 'of type string', options.type)
    this.#locked = true
    return readableWebStream(this, options.type === 'bytes')
  }
}

/** `FileHandle.read` after its argument forms are told apart (Node's `read`). */
async function readAt(fd: number, bufferOrOptions: unknown, offsetOrOptions: unknown, lengthArg: unknown, positionArg: unknown): Promise<FileReadResult<NodeJS.ArrayBufferView>> {
  let buffer = bufferOrOptions as NodeJS.ArrayBufferView
  let offset = offsetOrOptions
  let length = lengthArg
  let position = positionArg
  if (!isArrayBufferView(buffer)) {
    // read(options)
    if (bufferOrOptions !== undefined) validateObjectOrNull(bufferOrOptions, 'options')
    const o = (bufferOrOptions ?? {}) as FileReadOptions<NodeJS.ArrayBufferView>
    buffer = o.buffer ?? Buffer.alloc(16384)
    offset = o.offset ?? 0
    length = o.length ?? buffer.byteLength - (offset as number)
    position = o.position ?? null
    if (!isArrayBufferView(buffer)) throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', buffer)
  }
  if (offset !== null && typeof offset === 'object') {
    // read(buffer, options)
    const o = offset as FileReadOptions<NodeJS.ArrayBufferView>
    offset = o.offset ?? 0
    length = o.length ?? buffer.byteLength - (offset as number)
    position = o.position ?? null
  }
  const off = offset == null ? 0 : validateInteger(offset, 'offset', 0)
  const len = (length ?? buffer.byteLength - off) as number
  if (len === 0) return { bytesRead: 0, buffer }
  if (buffer.byteLength === 0) throw invalidArgValue('buffer', buffer, 'is empty and cannot be written')
  if (len < 0) throw outOfRange('length', '>= 0', len)
  if (off + len > buffer.byteLength) throw outOfRange('length', `<= ${buffer.byteLength - off}`, len)
  const bytesRead = await settle(eioRead(fd, filePosition(position), Math.min(len, MAX_RW), buffer, off))
  return { bytesRead, buffer }
}

/** `FileHandle.write` after its argument forms are told apart (Node's `write`). */
async function writeAt(fd: number, buffer: unknown, offsetOrOptions: unknown, lengthArg: unknown, positionArg: unknown): Promise<FileWriteResult<unknown>> {
  if ((buffer as { byteLength?: unknown } | null | undefined)?.byteLength === 0) return { bytesWritten: 0, buffer }
  if (isArrayBufferView(buffer)) {
    let offset = offsetOrOptions
    let length = lengthArg
    let position = positionArg
    if (typeof offset === 'object') {
      const o = (offsetOrOptions ?? {}) as { offset?: number; length?: number; position?: number | null }
      offset = o.offset ?? 0
      length = o.length ?? buffer.byteLength - (offset as number)
      position = o.position ?? null
    }
    const off = offset == null ? 0 : validateInteger(offset, 'offset', 0)
    const len = typeof length === 'number' ? length : buffer.byteLength - off
    if (off > buffer.byteLength) throw outOfRange('offset', `<= ${buffer.byteLength}`, off)
    if (len > buffer.byteLength - off) throw outOfRange('length', `<= ${buffer.byteLength - off}`, len)
    if (len < 0) throw outOfRange('length', '>= 0', len)
    validateInteger(len, 'length', 0, 2 ** 31 - 1)
    const bytesWritten = await settle(eioWrite(fd, filePosition(position), len, buffer, off))
    return { bytesWritten, buffer }
  }
  if (typeof buffer !== 'string') {
    throw invalidArgType('buffer', 'of type string or an instance of Buffer, TypedArray, or DataView', buffer)
  }
  // write(string, position, encoding): an encoding Buffer does not know is UTF-8 (Node's
  // binding falls back to it the same way); hex needs whole bytes.
  const encoding = typeof lengthArg === 'string' && Buffer.isEncoding(lengthArg) ? lengthArg : 'utf8'
  if (encoding.toLowerCase() === 'hex' && buffer.length % 2 !== 0) {
    throw invalidArgValue('encoding', lengthArg, `is invalid for data of length ${buffer.length}`)
  }
  const data = Buffer.from(buffer, encoding)
  const bytesWritten = await settle(eioWrite(fd, filePosition(offsetOrOptions), undefined, data))
  return { bytesWritten, buffer }
}

/**
 * Opens a file: `flags` as Node's ('r' by default, 'w', 'a+', ... or a number), `mode`
 * for a file it creates (default 0o666). Fulfils with a `FileHandle`.
 */
export async function open(path: PathLike, flags?: string | number, mode?: string | number): Promise<FileHandle> {
  const p = getValidatedPath(path)
  const f = stringToFlags(flags)
  const m = parseFileMode(mode, 'mode', 0o666)
  return new FileHandle(await settle(eioOpen(p, f, m)))
}
