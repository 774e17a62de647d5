// cp: Node's `fs.promises.cp`, with Node's option checks and its preflight (the same
// errors for the roots: identical paths, a directory over a file, a copy into itself...),
// then one eio request: a file by `copyFile` (contents and mode, as Node), a tree by eio's
// `copy({ recursive })`, which copies the whole tree natively, in parallel on the pool.
//
// What eio's tree copy does differently from Node's (documented in the README): it keeps
// times (as `preserveTimestamps: true`), owners (where permitted) and hard links, copies
// symlink targets as they are (as `verbatimSymlinks: true`), and recreates FIFOs and
// sockets below the root instead of failing.

import { constants as fsConstants } from 'node:fs'
import path from 'node:path'

import { copy as eioCopy } from '../composite.js'
import { mkdir as eioMkdir } from '../requests.js'
import { readlink as eioReadlink, symlink as eioSymlink } from '../names.js'
import { unlink as eioUnlink } from '../requests.js'
import type { ErrnoException } from '../errors.js'
import { invalidArgType } from '../errors.js'
import { getValidatedPath, validateBoolean, validateInteger } from './args.js'
import type { PathLike } from './args.js'
import { settle } from './call.js'
import { copyFile } from './copy.js'
import { incompatibleOptionPair, systemError } from './errors.js'
import { lstat, stat, utimes } from './meta.js'
import type { BigIntStats } from 'node:fs'

/** The options of `cp`. */
export interface CopyOptions {
  /** Follow symlinks: copy what they point to. Default false. */
  dereference?: boolean
  /** With `force: false`, an existing destination is an error (`ERR_FS_CP_EEXIST`). Default false. */
  errorOnExist?: boolean
  /** Decides, for each entry (the roots first), whether it is copied; may return a promise. */
  filter?: (source: string, destination: string) => boolean | Promise<boolean>
  /** Replace existing files. Default true. */
  force?: boolean
  /** `copyFile` flags (`COPYFILE_EXCL`, `COPYFILE_FICLONE`...) for a file copied alone. */
  mode?: number
  /** Keep the source's access and modification times. Default false (see the README for trees). */
  preserveTimestamps?: boolean
  /** Copy directories and everything in them. Default false. */
  recursive?: boolean
  /** Keep symlink targets as they are (default false: made absolute, for a link copied alone). */
  verbatimSymlinks?: boolean
}

interface CpOptions {
  dereference: boolean
  errorOnExist: boolean
  filter: ((src: string, dest: string) => unknown) | undefined
  force: boolean
  mode: number
  preserveTimestamps: boolean
  recursive: boolean
  verbatimSymlinks: boolean
}

const { COPYFILE_EXCL, COPYFILE_FICLONE, COPYFILE_FICLONE_FORCE } = fsConstants

/** Node's `validateCpOptions`. */
function cpOptions(options: unknown): CpOptions {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw invalidArgType('options', 'of type object', options)
  }
  const o = {
    dereference: false,
    errorOnExist: false,
    filter: undefined,
    force: true,
    preserveTimestamps: false,
    recursive: false,
    verbatimSymlinks: false,
    ...(options as object | undefined),
  } as Record<string, unknown>
  for (const key of ['dereference', 'errorOnExist', 'force', 'preserveTimestamps', 'recursive', 'verbatimSymlinks']) {
    validateBoolean(o[key], `options.${key}`)
  }
  const mode = o.mode == null ? 0 : validateInteger(o.mode, 'mode', 0, COPYFILE_EXCL | COPYFILE_FICLONE | COPYFILE_FICLONE_FORCE)
  if (o.dereference === true && o.verbatimSymlinks === true) throw incompatibleOptionPair('dereference', 'verbatimSymlinks')
  if (o.filter !== undefined && typeof o.filter !== 'function') throw invalidArgType('options.filter', 'of type function', o.filter)
  return { ...(o as unknown as CpOptions), mode }
}

/** A `cp` error of Node's (a SystemError naming `dest`). */
function cpError(code: string, prefix: string, errno: string, message: string, dest: string): Error {
  return systemError(code, prefix, { code: errno, message, path: dest, syscall: 'cp' })
}

function isMissing(err: unknown): boolean {
  return (err as ErrnoException)?.code === 'ENOENT'
}

/** Whether two stats are one file (Node's `areIdentical`). */
function identical(a: BigIntStats, b: BigIntStats): boolean {
  return b.ino !== 0n && b.dev !== 0n && a.ino === b.ino && a.dev === b.dev
}

/** Whether `dest` is `src` or below it, by their paths (Node's `isSrcSubdir`). */
function isSubdir(src: string, dest: string): boolean {
  const parts = (p: string) => path.resolve(p).split(path.sep).filter(Boolean)
  const d = parts(dest)
  return parts(src).every((part, i) => d[i] === part)
}

/** Node's `checkParentPaths`: no parent of `dest` (up to `src`'s parent) is `src` itself. */
async function checkParentPaths(src: string, srcStat: BigIntStats, dest: string): Promise<void> {
  const srcParent = path.resolve(path.dirname(src))
  let destParent = path.resolve(path.dirname(dest))
  while (destParent !== srcParent && destParent !== path.parse(destParent).root) {
    let st: BigIntStats
    try {
      st = await stat(destParent, { bigint: true })
    } catch (err) {
      if (isMissing(err)) return
      throw err
    }
    if (identical(srcStat, st)) {
      throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', `cannot copy ${src} to a subdirectory of self ${dest}`, dest)
    }
    destParent = path.resolve(path.dirname(destParent))
  }
}

/**
 * Copies `src` to `dest`: a file, a symlink, or with `recursive` a directory and
 * everything in it. Options, defaults and errors as Node's `fs.promises.cp`; a tree is
 * copied natively by eio (see the module documentation for what that keeps).
 */
export async function cp(src: string | URL, dest: string | URL, options?: CopyOptions): Promise<void> {
  const o = cpOptions(options)
  const from = getValidatedPath(src, 'src').toString()
  const to = getValidatedPath(dest, 'dest').toString()
  if (o.filter !== undefined && !(await o.filter(from, to))) return
  const statOf = (p: string) => (o.dereference ? stat(p, { bigint: true }) : lstat(p, { bigint: true }))
  const [srcStat, destStat] = await Promise.all([
    statOf(from),
    statOf(to).catch((err: unknown) => {
      if (isMissing(err)) return null
      throw err
    }),
  ])
  if (destStat !== null) {
    if (identical(srcStat, destStat)) {
      throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', 'src and dest cannot be the same', to)
    }
    if (srcStat.isDirectory() && !destStat.isDirectory()) {
      throw cpError('ERR_FS_CP_DIR_TO_NON_DIR', 'Cannot overwrite non-directory with directory', 'EISDIR', `cannot overwrite non-directory ${to} with directory ${from}`, to)
    }
    if (!srcStat.isDirectory() && destStat.isDirectory()) {
      throw cpError('ERR_FS_CP_NON_DIR_TO_DIR', 'Cannot overwrite directory with non-directory', 'ENOTDIR', `cannot overwrite directory ${to} with non-directory ${from}`, to)
    }
  }
  if (srcStat.isDirectory() && isSubdir(from, to)) {
    throw cpError('ERR_FS_CP_EINVAL', 'Invalid src or dest', 'EINVAL', `cannot copy ${from} to a subdirectory of self ${to}`, to)
  }
  await checkParentPaths(from, srcStat, to)
  // Node creates the destination's parent directories.
  await settle(eioMkdir(path.dirname(to), 0o777, { recursive: true }))
  if (srcStat.isDirectory()) {
    if (!o.recursive) {
      throw systemError('ERR_FS_EISDIR', 'Path is a directory', { code: 'EISDIR', message: `${from} is a directory (not copied)`, path: from, syscall: 'cp' })
    }
    return copyTree(from, to, o)
  }
  if (srcStat.isSocket()) throw cpError('ERR_FS_CP_SOCKET', 'Cannot copy a socket file', 'EINVAL', `cannot copy a socket file: ${to}`, to)
  if (srcStat.isFIFO()) throw cpError('ERR_FS_CP_FIFO_PIPE', 'Cannot copy a FIFO pipe', 'EINVAL', `cannot copy a FIFO pipe: ${to}`, to)
  if (srcStat.isSymbolicLink()) return copyLink(from, to, destStat !== null, o)
  if (!srcStat.isFile() && !srcStat.isCharacterDevice() && !srcStat.isBlockDevice()) {
    throw cpError('ERR_FS_CP_UNKNOWN', 'Cannot copy an unknown file type', 'EINVAL', `cannot copy an unknown file type: ${to}`, to)
  }
  if (destStat !== null && !o.force) {
    if (o.errorOnExist) throw cpError('ERR_FS_CP_EEXIST', 'Target already exists', 'EEXIST', `${to} already exists`, to)
    return
  }
  // A file: Node's copyFile then mode (copyFile sets it), then times if asked.
  await copyFile(from, to, o.mode)
  if (o.preserveTimestamps) {
    const now = await stat(from)
    await utimes(to, now.atime, now.mtime)
  }
}

/** A symlink copied alone: its target made absolute unless `verbatimSymlinks` (Node's `onLink`). */
async function copyLink(from: string, to: string, exists: boolean, o: CpOptions): Promise<void> {
  let target = (await settle(eioReadlink(from))) as string
  if (!o.verbatimSymlinks && !path.isAbsolute(target)) target = path.resolve(path.dirname(from), target)
  if (exists) await settle(eioUnlink(to))
  await settle(eioSymlink(target, to))
}

/** A directory: eio's native tree copy, with Node's error codes for what it refuses. */
async function copyTree(from: string, to: string, o: CpOptions): Promise<void> {
  const userFilter = o.filter
  // The roots were asked about already (above); the tree copy asks about them again first.
  const filter = userFilter === undefined ? undefined : (s: string, d: string) => (s === from && d === to) || Boolean(userFilter(s, d))
  try {
    await settle(
      eioCopy(from, to, {
        recursive: true,
        overwrite: o.force,
        errorOnExist: o.errorOnExist,
        dereference: o.dereference,
        filter: filter === undefined ? undefined : async (s: string, d: string) => Boolean(await filter(s, d)),
      }),
    )
  } catch (err) {
    throw asCpError(err, o)
  }
}

/** eio's tree-copy errors as Node's cp reports the same refusals. */
function asCpError(err: unknown, o: CpOptions): unknown {
  const e = err as ErrnoException
  const dest = e?.dest
  if (typeof dest !== 'string') return err
  if (e.code === 'EEXIST' && !o.force && o.errorOnExist) {
    return cpError('ERR_FS_CP_EEXIST', 'Target already exists', 'EEXIST', `${dest} already exists`, dest)
  }
  if (e.code === 'ENOTDIR' && e.syscall === 'mkdir') {
    return cpError('ERR_FS_CP_DIR_TO_NON_DIR', 'Cannot overwrite non-directory with directory', 'EISDIR', `cannot overwrite non-directory ${dest} with directory ${e.path}`, dest)
  }
  if (e.code === 'EISDIR') {
    return cpError('ERR_FS_CP_NON_DIR_TO_DIR', 'Cannot overwrite directory with non-directory', 'ENOTDIR', `cannot overwrite directory ${dest} with non-directory ${e.path}`, dest)
  }
  return err
}
