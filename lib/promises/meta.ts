// The metadata functions of node:fs/promises: access, chmod, chown, lchown, lchmod,
// utimes, stat, lstat, statfs, truncate. Each checks its arguments as Node does, then
// makes one eio request.

import { constants as fsConstants } from 'node:fs'
import type { BigIntStats, Stats } from 'node:fs'

import { binding } from '../native.js'
import { Out, request, track } from '../engine.js'
import { toPath } from '../paths.js'
import { chmod as eioChmod, chown as eioChown, lutime, truncate as eioTruncate, utime } from '../meta.js'
import { lstat as eioLstat, stat as eioStat } from '../requests.js'
import { errnoError } from '../errors.js'
import type { ErrnoException } from '../errors.js'
import { getValidatedPath, parseFileMode, toUnixTimestamp, validateId, validateInteger } from './args.js'
import type { PathLike } from './args.js'
import { settle } from './call.js'
import { methodNotImplemented } from './errors.js'
import { toNodeStatsOf, toStatFs } from './stats.js'
import type { StatFs } from './stats.js'

/** The options of `stat`, `lstat`, `statfs` and `FileHandle.stat`. */
export interface StatOptions {
  /** Every number as an exact bigint, and the times also in nanoseconds (`BigIntStats`). */
  bigint?: boolean
}

/** eio's stat options for Node's: only a true `bigint` counts (Node reads it as truthy). */
export function statOptions(options: StatOptions | undefined): { bigint: true } | undefined {
  return options?.bigint ? { bigint: true } : undefined
}

/**
 * Tests the calling process's (real) permissions for `path`: `mode` is `constants.F_OK`
 * (exists, the default) or a combination of `R_OK`, `W_OK`, `X_OK`. Fulfils with
 * undefined; rejects with `EACCES`, `ENOENT`... as `access(2)` fails.
 */
export async function access(path: PathLike, mode?: number): Promise<void> {
  const p = getValidatedPath(path)
  const m = mode == null ? fsConstants.F_OK : validateInteger(mode, 'mode', 0, 7)
  await settle(request(undefined, (o) => {
    const at = toPath(p)
    return track(binding.access(o.priority, at.dir, at.path, m), o, Out.Void, 'access', at.display)
  }))
}

/** Changes the permissions of `path` (following symlinks); `mode` a number or an octal string. */
export async function chmod(path: PathLike, mode: string | number): Promise<void> {
  const p = getValidatedPath(path)
  const m = parseFileMode(mode, 'mode')
  await settle(eioChmod(p, m))
}

/**
 * Node's `lchmod` exists only where the platform has `O_SYMLINK` (macOS); elsewhere it
 * rejects with `ERR_METHOD_NOT_IMPLEMENTED`, as node:fs/promises does on Linux.
 */
export async function lchmod(path: PathLike, mode: string | number): Promise<void> {
  void path
  void mode
  throw methodNotImplemented('lchmod()')
}

/** Changes the owner and group of `path` (following symlinks); -1 leaves one as it is. */
export async function chown(path: PathLike, uid: number, gid: number): Promise<void> {
  const p = getValidatedPath(path)
  const u = validateId(uid, 'uid')
  const g = validateId(gid, 'gid')
  await settle(eioChown(p, u, g))
}

/** Changes the owner and group of a symlink itself; -1 leaves one as it is. */
export async function lchown(path: PathLike, uid: number, gid: number): Promise<void> {
  const p = getValidatedPath(path)
  const u = validateId(uid, 'uid') >>> 0
  const g = validateId(gid, 'gid') >>> 0
  await settle(request(undefined, (o) => {
    const at = toPath(p)
    return track(binding.lchown(o.priority, at.dir, at.path, u, g), o, Out.Void, 'lchown', at.display)
  }))
}

/**
 * Sets the access and modification times of `path` (following symlinks). Times are
 * seconds since the epoch (a negative number means now, as in Node), numeric strings
 * or Dates.
 */
export async function utimes(path: PathLike, atime: string | number | Date, mtime: string | number | Date): Promise<void> {
  const p = getValidatedPath(path)
  const a = toUnixTimestamp(atime)
  const m = toUnixTimestamp(mtime)
  await settle(utime(p, a, m))
}

/**
 * Sets the access and modification times of `path` itself: a symlink's own times, not
 * its target's. Times as for `utimes`.
 */
export async function lutimes(path: PathLike, atime: string | number | Date, mtime: string | number | Date): Promise<void> {
  const p = getValidatedPath(path)
  const a = toUnixTimestamp(atime)
  const m = toUnixTimestamp(mtime)
  await settle(lutime(p, a, m))
}

/** The status of `path`, following symlinks: a `fs.Stats`. */
export async function stat(path: PathLike, options?: StatOptions & { bigint?: false }): Promise<Stats>
export async function stat(path: PathLike, options: StatOptions & { bigint: true }): Promise<BigIntStats>
export async function stat(path: PathLike, options?: StatOptions): Promise<Stats | BigIntStats>
export async function stat(path: PathLike, options?: StatOptions): Promise<Stats | BigIntStats> {
  const p = getValidatedPath(path)
  return toNodeStatsOf(await settle(eioStat(p, statOptions(options))))
}

/** The status of `path` itself (a symlink is not followed): a `fs.Stats`. */
export async function lstat(path: PathLike, options?: StatOptions & { bigint?: false }): Promise<Stats>
export async function lstat(path: PathLike, options: StatOptions & { bigint: true }): Promise<BigIntStats>
export async function lstat(path: PathLike, options?: StatOptions): Promise<Stats | BigIntStats>
export async function lstat(path: PathLike, options?: StatOptions): Promise<Stats | BigIntStats> {
  const p = getValidatedPath(path)
  return toNodeStatsOf(await settle(eioLstat(p, statOptions(options))))
}

/** Statistics of the filesystem holding `path`: Node's `StatFs` (`bigint: true`: as bigints). */
export async function statfs(path: PathLike, options?: StatOptions & { bigint?: false }): Promise<StatFs<number>>
export async function statfs(path: PathLike, options: StatOptions & { bigint: true }): Promise<StatFs<bigint>>
export async function statfs(path: PathLike, options?: StatOptions): Promise<StatFs<number> | StatFs<bigint>>
export async function statfs(path: PathLike, options?: StatOptions): Promise<StatFs<number> | StatFs<bigint>> {
  const p = getValidatedPath(path)
  const fields = await settle(request(undefined, (o) => {
    const at = toPath(p)
    return track<(number | bigint)[]>(binding.statfs(o.priority, at.dir, at.path), o, Out.Value, 'statfs', at.display)
  }))
  return toStatFs(fields, options?.bigint === true)
}

/**
 * Truncates (or extends with zeros) the file at `path` to `len` bytes (default 0; a
 * negative length counts as 0, as in Node). One `truncate(2)`, where Node opens the
 * file, truncates it and closes it.
 */
export async function truncate(path: PathLike, len = 0): Promise<void> {
  const p = getValidatedPath(path)
  const n = Math.max(0, validateInteger(len, 'len'))
  try {
    await settle(eioTruncate(p, n))
  } catch (err) {
    throw asNodeTruncateError(err)
  }
}

/**
 * Node truncates a path by opening it ('r+'), then `ftruncate` of the fd: its errors are
 * open's (with the path) or ftruncate's (without). `truncate(2)` fails with the same codes
 * for the same reasons; only the names differ.
 */
function asNodeTruncateError(err: unknown): unknown {
  const e = err as ErrnoException
  if (e?.syscall !== 'truncate') return err
  const ofFd = e.code === 'EFBIG' || e.code === 'EINVAL' || e.code === 'EIO' || e.code === 'EINTR'
  const renamed = ofFd ? errnoError(-e.errno, 'ftruncate') : errnoError(-e.errno, 'open', e.path)
  renamed.stack = `${renamed.name}: ${renamed.message}${(e.stack ?? '').slice((e.stack ?? '').indexOf('\n'))}`
  return renamed
}
