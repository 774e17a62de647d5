// Streams over a FileHandle: `createReadStream` and `createWriteStream` return real
// `fs.ReadStream`/`fs.WriteStream` objects whose reads and writes are eio requests, given
// to Node's stream classes through their documented `fs` option (the custom fs
// operations a stream uses on its `fd`), as Node's own FileHandle streams do internally.
// `readableWebStream` is a web ReadableStream pulling the same reads. A stream holds a
// reference on the handle, so that `close()` of the handle waits for it; closing the
// handle closes the stream.

import { ReadStream, WriteStream } from 'node:fs'
import { ReadableStream } from 'node:stream/web'
import type { ReadableByteStreamController, ReadableStreamDefaultController, UnderlyingByteSource, UnderlyingSource } from 'node:stream/web'
import type { CreateReadStreamOptions as NodeReadOptions, CreateWriteStreamOptions as NodeWriteOptions } from 'node:fs/promises'

/** Options of `FileHandle.createReadStream`. */
export type CreateReadStreamOptions = NodeReadOptions

/** Options of `FileHandle.createWriteStream`. */
export type CreateWriteStreamOptions = NodeWriteOptions

/** What a stream needs of its handle (see handle.ts). */
export interface StreamHandle {
  readonly fd: number
  read(buffer: NodeJS.ArrayBufferView, offset: number, length: number, position: number | null): Promise<{ bytesRead: number; buffer: NodeJS.ArrayBufferView }>
  write(buffer: NodeJS.ArrayBufferView, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number; buffer: NodeJS.ArrayBufferView }>
  writev(buffers: NodeJS.ArrayBufferView[], position: number | null): Promise<{ bytesWritten: number; buffers: NodeJS.ArrayBufferView[] }>
  sync(): Promise<void>
  close(): Promise<void>
  on(event: 'close', listener: () => void): unknown
  /** Takes a reference: the handle closes only once every holder let go. */
  ref(): void
  /** Lets go of a reference taken with `ref`; the last one closes the fd. */
  unref(): void
}

type Callback = (err: Error | null, ...result: unknown[]) => void

/** The custom fs operations of one stream on `handle` (Node's `FileHandleOperations`). */
function operations(handle: StreamHandle) {
  const done = (cb: Callback) => [() => cb(null), (err: Error) => cb(err)] as const
  return {
    open(): never {
      throw new Error('a FileHandle stream is already open')
    },
    close(_fd: number, cb: Callback) {
      handle.unref()
      handle.close().then(...done(cb))
    },
    fsync(_fd: number, cb: Callback) {
      handle.sync().then(...done(cb))
    },
    read(_fd: number, buf: Buffer, offset: number, length: number, pos: number | null, cb: Callback) {
      handle.read(buf, offset, length, pos).then(
        (r) => cb(null, r.bytesRead, r.buffer),
        (err) => cb(err, 0, buf),
      )
    },
    write(_fd: number, buf: Buffer, offset: number, length: number, pos: number | null, cb: Callback) {
      handle.write(buf, offset, length, pos).then(
        (r) => cb(null, r.bytesWritten, r.buffer),
        (err) => cb(err, 0, buf),
      )
    },
    writev(_fd: number, buffers: Buffer[], pos: number | null, cb: Callback) {
      handle.writev(buffers, pos).then(
        (r) => cb(null, r.bytesWritten, r.buffers),
        (err) => cb(err, 0, buffers),
      )
    },
  }
}

/** The stream options Node's stream classes take, with `fd` and `fs` set for `handle`. */
function streamOptions(handle: StreamHandle, options: object | undefined): Record<string, unknown> {
  if (options !== undefined && options !== null && typeof options === 'object' && 'fs' in options && options.fs !== undefined) {
    // Node refuses this combination the same way.
    const err = new Error('The FileHandle with fs method is not implemented') as Error & { code: string }
    err.code = 'ERR_METHOD_NOT_IMPLEMENTED'
    throw err
  }
  return { ...(typeof options === 'string' ? { encoding: options } : options), fd: handle.fd, fs: operations(handle) }
}

/** Ties `stream` to `handle`: a reference while it lives, and closed with the handle. */
function attach<S extends ReadStream | WriteStream>(handle: StreamHandle, stream: S): S {
  handle.ref()
  handle.on('close', () => stream.close())
  return stream
}

// Node's stream classes take `(path, options)`; @types/node does not declare it.
const FsReadStream = ReadStream as unknown as new (path: undefined, options: object) => ReadStream
const FsWriteStream = WriteStream as unknown as new (path: undefined, options: object) => WriteStream

/** A `fs.ReadStream` reading `handle` through eio (see the module documentation). */
export function createReadStream(handle: StreamHandle, options?: CreateReadStreamOptions): ReadStream {
  return attach(handle, new FsReadStream(undefined, streamOptions(handle, options)))
}

/** A `fs.WriteStream` writing `handle` through eio (see the module documentation). */
export function createWriteStream(handle: StreamHandle, options?: CreateWriteStreamOptions): WriteStream {
  return attach(handle, new FsWriteStream(undefined, streamOptions(handle, options)))
}

/** Bytes asked of each read of a default (not byte) web stream. */
const WEB_CHUNK = 65536

/**
 * A web `ReadableStream` of `handle`'s bytes from its file position, each chunk one eio
 * read; with `bytes`, a byte stream (BYOB readers read straight into their buffers). The
 * stream holds a reference on the handle until it ends or is cancelled; the handle's
 * 'close' closes it (a read in flight finishes first, and is not delivered).
 */
export function readableWebStream(handle: StreamHandle, bytes: boolean): ReadableStream<Uint8Array> {
  handle.ref()
  let controller: ReadableByteStreamController | ReadableStreamDefaultController<Uint8Array> | undefined
  let over = false
  /** Lets go of the handle once; true the first time. */
  const finish = (): boolean => {
    if (over) return false
    over = true
    handle.unref()
    return true
  }
  handle.on('close', () => {
    if (!finish()) return
    try {
      controller?.close()
    } catch {
      // already closed by the reader's own end
    }
  })
  if (bytes) {
    const source: UnderlyingByteSource = {
      type: 'bytes',
      autoAllocateChunkSize: 16384,
      start: (c) => {
        controller = c
      },
      pull: async (c) => {
        const request = c.byobRequest!
        const view = request.view! as NodeJS.ArrayBufferView
        const { bytesRead } = await handle.read(view, 0, view.byteLength, null)
        if (over) {
          request.respond(0) // the stream was closed meanwhile: the read is not delivered
          return
        }
        if (bytesRead === 0 && finish()) c.close()
        request.respond(bytesRead)
      },
      cancel: () => void finish(),
    }
    return new ReadableStream(source)
  }
  const source: UnderlyingSource<Uint8Array> = {
    start: (c: ReadableStreamDefaultController<Uint8Array>) => {
      controller = c
    },
    pull: async (c: ReadableStreamDefaultController<Uint8Array>) => {
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(WEB_CHUNK), 0, WEB_CHUNK, null)
      if (over) return // the stream was closed meanwhile: the read is not delivered
      if (bytesRead === 0) {
        if (finish()) c.close()
      } else {
        c.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead))
      }
    },
    cancel: () => void finish(),
  }
  return new ReadableStream(source)
}
