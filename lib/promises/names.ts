// The functions of node:fs/promises on names: rename, link, symlink, readlink, realpath,
// unlink, rmdir, mkdir, mkdtemp. Each checks its arguments as Node does, then makes one
// eio request.

import { binding } from '../native.js'
import { Out, request, track } from '../engine.js'
import { toPath } from '../paths.js'
import { mkdir as eioMkdir, rename as eioRename, rmdir as eioRmdir, unlink as eioUnlink } from '../requests.js'
import { link as eioLink, readlink as eioReadlink, realpath as eioRealpath, symlink as eioSymlink } from '../names.js'
import { rmtree } from '../composite.js'
import { getOptions, getValidatedPath, parseFileMode, validateBoolean, validateInteger, validateUint32 } from './args.js'
import type { Options, PathLike } from './args.js'
import { settle } from './call.js'
import { invalidSymlinkType } from './errors.js'
import { stat } from './meta.js'

/** An encoding for names: a Buffer encoding, or 'buffer' for Buffers. */
export type NameEncoding = BufferEncoding | 'buffer' | null

/** The options of the functions that return names. */
export interface NameOptions {
  /** How names are returned: a string encoding (default 'utf8'), or 'buffer'. */
  encoding?: NameEncoding
}

/** Whether names in `encoding` are asked of eio as Buffers (everything but UTF-8 is). */
export function wantsBuffer(encoding: unknown): boolean {
  return encoding != null && encoding !== 'utf8' && encoding !== 'utf-8'
}

/** A name eio returned (a string, or a Buffer when `wantsBuffer`) in `encoding`. */
export function encodeName(name: string | Buffer, encoding: unknown): string | Buffer {
  if (typeof name === 'string' || encoding === 'buffer') return name
  return name.toString(encoding as BufferEncoding)
}

/** Renames `oldPath` to `newPath`, replacing a file there (`rename(2)`). */
export async function rename(oldPath: PathLike, newPath: PathLike): Promise<void> {
  const from = getValidatedPath(oldPath, 'oldPath')
  const to = getValidatedPath(newPath, 'newPath')
  await settle(eioRename(from, to))
}

/** Makes `newPath` a hard link to `existingPath`. */
export async function link(existingPath: PathLike, newPath: PathLike): Promise<void> {
  const from = getValidatedPath(existingPath, 'existingPath')
  const to = getValidatedPath(newPath, 'newPath')
  await settle(eioLink(from, to))
}

/** Removes a name (a file, a symlink: never a directory). */
export async function unlink(path: PathLike): Promise<void> {
  await settle(eioUnlink(getValidatedPath(path)))
}

/**
 * Creates the symlink `path` with contents `target`, stored as given. `type` ('file',
 * 'dir', 'junction') matters on Windows only, but is checked as Node checks it.
 */
export async function symlink(target: PathLike, path: PathLike, type?: string | null): Promise<void> {
  if (typeof type === 'string' && type !== 'dir' && type !== 'file' && type !== 'junction') {
    throw invalidSymlinkType(type)
  }
  const t = getValidatedPath(target, 'target')
  const p = getValidatedPath(path)
  await settle(eioSymlink(t, p))
}

/** The contents of the symlink `path`, in `options.encoding` (default 'utf8', or 'buffer'). */
export async function readlink(path: PathLike, options?: NameOptions | BufferEncoding | null): Promise<string>
export async function readlink(path: PathLike, options: { encoding: 'buffer' } | 'buffer'): Promise<Buffer>
export async function readlink(path: PathLike, options?: NameOptions | NameEncoding): Promise<string | Buffer>
export async function readlink(path: PathLike, options?: NameOptions | NameEncoding): Promise<string | Buffer> {
  const o = getOptions(options)
  const p = getValidatedPath(path, 'oldPath')
  const raw = wantsBuffer(o.encoding)
  const name: Promise<string | Buffer> = raw ? eioReadlink(p, { encoding: 'buffer' }) : eioReadlink(p)
  return encodeName(await settle(name), o.encoding)
}

/**
 * The canonical absolute path of `path`, every symlink, `.` and `..` resolved, in
 * `options.encoding` (default 'utf8', or 'buffer').
 */
export async function realpath(path: PathLike, options?: NameOptions | BufferEncoding | null): Promise<string>
export async function realpath(path: PathLike, options: { encoding: 'buffer' } | 'buffer'): Promise<Buffer>
export async function realpath(path: PathLike, options?: NameOptions | NameEncoding): Promise<string | Buffer>
export async function realpath(path: PathLike, options?: NameOptions | NameEncoding): Promise<string | Buffer> {
  const o = getOptions(options)
  const p = getValidatedPath(path)
  const raw = wantsBuffer(o.encoding)
  const name: Promise<string | Buffer> = raw ? eioRealpath(p, { encoding: 'buffer' }) : eioRealpath(p)
  return encodeName(await settle(name), o.encoding)
}

/** The options of `rmdir`. */
export interface RmDirOptions {
  /** Deprecated in Node (DEP0147, use `rm`): removes a whole tree. */
  recursive?: boolean
  /** Accepted and checked as Node does; eio's tree removal does not need retries. */
  maxRetries?: number
  /** Accepted and checked as Node does. */
  retryDelay?: number
}

let recursiveRmdirWarned = false

/** Node's `validateRmdirOptions`. */
export function rmdirOptions(options: unknown, defaults: Options): Options {
  if (options === undefined) return defaults
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return getOptions(options, defaults) // rejects a non-object as Node does
  }
  const o = { ...defaults, ...(options as Options) }
  validateBoolean(o.recursive, 'options.recursive')
  validateInteger(o.retryDelay, 'options.retryDelay', 0, 2 ** 31 - 1)
  validateUint32(o.maxRetries, 'options.maxRetries')
  return o
}

/**
 * Removes the empty directory `path`. With `recursive` (deprecated in Node: use `rm`), a
 * directory is removed with everything in it, by eio's `rmtree`, which never follows a
 * symlink out of the tree.
 */
export async function rmdir(path: PathLike, options?: RmDirOptions): Promise<void> {
  const p = getValidatedPath(path)
  const o = rmdirOptions(options, { retryDelay: 100, maxRetries: 0, recursive: false })
  if (o.recursive) {
    if (!recursiveRmdirWarned && !process.noDeprecation) {
      recursiveRmdirWarned = true
      process.emitWarning(
        'In future versions of Node.js, fs.rmdir(path, { recursive: true }) will be removed. ' +
          'Use fs.rm(path, { recursive: true }) instead',
        'DeprecationWarning',
        'DEP0147',
      )
    }
    if ((await stat(p)).isDirectory()) {
      await settle(rmtree(p))
      return
    }
  }
  await settle(eioRmdir(p))
}

/** The options of `mkdir`. */
export interface MakeDirectoryOptions {
  /** Creates missing parents too (`mkdir -p`). */
  recursive?: boolean
  /** The mode of a new directory (before the umask), default 0o777. */
  mode?: string | number
}

/**
 * Creates the directory `path` (`options` may be just the mode). With `recursive`, also
 * the missing directories above it (`mkdir -p`, one eio request), fulfilling with the
 * first directory created (undefined if all existed); without, with undefined.
 */
export async function mkdir(path: PathLike, options?: MakeDirectoryOptions | string | number | null): Promise<string | undefined> {
  const o = typeof options === 'number' || typeof options === 'string' ? { mode: options } : (options ?? {})
  const recursive = o.recursive === undefined ? false : o.recursive
  const p = getValidatedPath(path)
  validateBoolean(recursive, 'options.recursive')
  const mode = parseFileMode(o.mode, 'mode', 0o777)
  if (recursive) return (await settle(eioMkdir(p, mode, { recursive: true }))) ?? undefined
  await settle(eioMkdir(p, mode))
  return undefined
}

let nonPortableTemplateWarned = false

/**
 * Creates a unique directory named `prefix` followed by six random characters (mode
 * 0700) and fulfils with its path, in `options.encoding` (default 'utf8').
 */
export async function mkdtemp(prefix: PathLike, options?: NameOptions | BufferEncoding | null): Promise<string>
export async function mkdtemp(prefix: PathLike, options: { encoding: 'buffer' } | 'buffer'): Promise<Buffer>
export async function mkdtemp(prefix: PathLike, options?: NameOptions | NameEncoding): Promise<string | Buffer>
export async function mkdtemp(prefix: PathLike, options?: NameOptions | NameEncoding): Promise<string | Buffer> {
  const o = getOptions(options)
  const p = getValidatedPath(prefix, 'prefix')
  const last = typeof p === 'string' ? p.charCodeAt(p.length - 1) : p[p.length - 1]
  if (!nonPortableTemplateWarned && last === 0x58 /* 'X' */) {
    nonPortableTemplateWarned = true
    process.emitWarning('mkdtemp() templates ending with X are not portable. For details see: https://nodejs.org/api/fs.html')
  }
  const suffix = await settle(request(undefined, (opts) => {
    const at = toPath(p)
    // Errors show the template as Node's (libuv's) do: the prefix and six X.
    const shown = typeof p === 'string' ? `${p}XXXXXX` : Buffer.concat([p, Buffer.from('XXXXXX')])
    return track<string>(binding.mkdtemp(opts.priority, at.dir, at.path), opts, Out.Value, 'mkdtemp', shown)
  }))
  if (typeof p === 'string' && !wantsBuffer(o.encoding)) return p + suffix
  return encodeName(Buffer.concat([Buffer.from(p), Buffer.from(suffix)]), o.encoding ?? 'utf8')
}
