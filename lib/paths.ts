// Path arguments: string | Buffer | URL(file:) | Wd | [Wd, string | Buffer], turned into
// what the binding takes: an optional directory handle and the path bytes. A relative
// path is made absolute against process.cwd() now, at the call, so that a later chdir
// cannot change which file a queued request touches.

import { fileURLToPath } from 'node:url'

import type { WdHandle } from '../binding.js'
import { errnoError, invalidArgType, invalidArgValue, invalidUrlScheme } from './errors.js'
import { isUnusableProxy, validateBuffer } from './validators.js'
import { Wd } from './wd.js'

/**
 * A path as users give it.
 *
 * @group Options and arguments
 */
export type PathLike = string | Buffer | URL | Wd | [Wd, string | Buffer]

/**
 * A file descriptor: a number, or an object with a numeric `fd` (Node's FileHandle).
 *
 * @group Options and arguments
 */
export type FdLike =
  | number
  | {
      /** The descriptor (Node's `FileHandle` has one). */
      fd: number
    }

/**
 * Whether an argument that may be a path or an fd is meant as an fd: a number, or an
 * object with an `fd` property that is not a path (not an array, not a URL).
 */
export function isFdLike(v: unknown): boolean {
  return typeof v === 'number' || (typeof v === 'object' && v !== null && !isUnusableProxy(v) && !Array.isArray(v) && 'fd' in v && !(v instanceof URL))
}

/** A path as the binding takes it; `display` is what errors show. */
export interface NativePath {
  dir: WdHandle | null
  path: string | Buffer
  display: string | Buffer
}

const ENOENT = 2
const SLASH = 0x2f

function isURL(value: unknown): value is URL {
  return value instanceof URL || (
    value !== null && typeof value === 'object' &&
    typeof (value as URL).href === 'string' && typeof (value as URL).protocol === 'string' &&
    (value as { auth?: unknown }).auth === undefined && (value as { path?: unknown }).path === undefined
  )
}

function checkNul(value: string | Uint8Array, name: string): void {
  if (typeof value === 'string' ? value.includes('\u0000') : value.includes(0)) {
    throw invalidArgValue(name, value, 'must be a string, Uint8Array, or URL without null bytes')
  }
}

let cwdString = ''
let cwdBuffer: Buffer = Buffer.alloc(0)

/** `rel` against the current directory; absolute paths are returned as they are. */
export function absolute(rel: string | Buffer): string | Buffer {
  if (typeof rel === 'string') {
    if (rel.charCodeAt(0) === SLASH) return rel
    const cwd = process.cwd()
    return cwd === '/' ? `/${rel}` : `${cwd}/${rel}`
  }
  if (rel[0] === SLASH) return rel
  const cwd = process.cwd()
  if (cwd !== cwdString) {
    cwdString = cwd
    cwdBuffer = Buffer.from(cwd === '/' ? '/' : `${cwd}/`)
  }
  return Buffer.concat([cwdBuffer, rel])
}

/** A path that is not relative to a `Wd`: string, Buffer or file: URL, checked as `toPath` does. */
export function plainPath(value: unknown, name: string): string | Buffer {
  if (typeof value === 'string') {
    checkNul(value, name)
    return value
  }
  if (isUnusableProxy(value)) throw invalidArgType(name, 'of type string or an instance of Buffer or URL', value)
  if (value instanceof Uint8Array) {
    validateBuffer(value, name) // a detached one: ERR_INVALID_STATE
    checkNul(value, name)
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  }
  if (isURL(value)) {
    if (value.protocol !== 'file:') throw invalidUrlScheme('file')
    const p = fileURLToPath(value)
    checkNul(p, name)
    return p
  }
  throw invalidArgType(name, 'of type string or an instance of Buffer or URL', value)
}

/** Converts and checks a path argument; throws Node's errors for bad ones. */
export function toPath(value: unknown, name = 'path'): NativePath {
  if (typeof value === 'string') {
    checkNul(value, name)
    if (value === '') return { dir: null, path: value, display: value }
    return { dir: null, path: absolute(value), display: value }
  }
  if (isUnusableProxy(value)) throw invalidArgType(name, 'of type string or an instance of Buffer or URL', value)
  if (value instanceof Wd) return { dir: value.handle(), path: '.', display: value.path }
  if (Array.isArray(value)) {
    if (value.length !== 2) throw invalidArgType(name, 'a path or a [Wd, path] pair', value)
    const [wd, rel] = value
    const p = plainPath(rel, `${name}[1]`)
    // IO::AIO: `[undef, path]` fails with ENOENT rather than croaking.
    if (wd === undefined || wd === null) throw errnoError(ENOENT, 'open', p)
    if (isUnusableProxy(wd) || !(wd instanceof Wd)) throw invalidArgType(`${name}[0]`, 'an instance of Wd', wd)
    return { dir: wd.handle(), path: p, display: p }
  }
  const p = plainPath(value, name)
  return { dir: null, path: p.length === 0 ? p : absolute(p), display: p }
}

/**
 * `dir/rel`, without doubling a trailing slash (`rel` alone when `dir` is empty). As a
 * Buffer when `buffers` (for paths opened again, so that names that are not UTF-8
 * survive), else as a string.
 */
export function joinPath(dir: string | Buffer, rel: string | Buffer, buffers: boolean): string | Buffer {
  if (rel.length === 0) return dir
  if (buffers) {
    const d = typeof dir === 'string' ? Buffer.from(dir) : dir
    const r = typeof rel === 'string' ? Buffer.from(rel) : rel
    if (d.length === 0) return r
    return d[d.length - 1] === SLASH ? Buffer.concat([d, r]) : Buffer.concat([d, Buffer.of(SLASH), r])
  }
  const d = typeof dir === 'string' ? dir : dir.toString()
  const r = typeof rel === 'string' ? rel : rel.toString()
  if (d.length === 0) return r
  return d.charCodeAt(d.length - 1) === SLASH ? d + r : `${d}/${r}`
}
