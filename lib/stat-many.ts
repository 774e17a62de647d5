// The batch form of the stat family: `statMany`/`lstatMany` stat N paths as one request
// with one promise (the pool splits the work over its threads, crates/eio-core/src/ops/
// stat_many.rs), and fulfil with a `StatsList` whose `Stats` are built only when read.
// A path that fails is an answer, not a failure: its error takes its place in the list.

import { binding } from './native.js'
import { request, track } from './engine.js'
import type { Opts } from './engine.js'
import { errnoError, invalidArgType, invalidArgValue } from './errors.js'
import type { ErrnoException } from './errors.js'
import { absolute, plainPath } from './paths.js'
import type { PathLike } from './paths.js'
import type { StatOptions } from './requests.js'
import type { BigIntStats, Stats } from './stats.js'
import { optionKeys, REQUEST_OPTIONS, validateBoolean, validateObject, validateOptionKeys } from './validators.js'
import { bigIntStatsAt, statsAt } from './wire.js'
import type { StatList } from './wire.js'

const STAT_MANY_OPTIONS = optionKeys('statMany', [...REQUEST_OPTIONS, 'bigint'])
const LSTAT_MANY_OPTIONS = optionKeys('lstatMany', [...REQUEST_OPTIONS, 'bigint'])

const SLASH = 0x2f
const NUL = Buffer.of(0)

/**
 * What `statMany` and `lstatMany` fulfil with: one result per path, in the order of the
 * paths: the path's `Stats` (or `BigIntStats`), or, for a path that could not be
 * stat'ed, its error (an {@link ErrnoException}: `code` `'ENOENT'`, `syscall` `'lstat'`,
 * `path` as given). A read-only list: `length`, `at(i)`, and iteration (`for...of`,
 * `Array.from(list)`). The results stay in one typed array until read: each read
 * builds its `Stats` (or error) anew, so keep what you read twice.
 *
 * @group Results and errors
 */
export class StatsList<S extends Stats | BigIntStats = Stats> implements Iterable<S | ErrnoException> {
  /** The number of results: as many as there were paths. */
  readonly length: number
  readonly #list: StatList
  readonly #paths: readonly (string | Buffer)[]
  readonly #syscall: string

  /** @internal */
  constructor(list: StatList, paths: readonly (string | Buffer)[], syscall: string) {
    this.length = list.count
    this.#list = list
    this.#paths = paths
    this.#syscall = syscall
  }

  /**
   * The result for the path at `index` (negative counts back from the end, as
   * `Array.prototype.at`): its `Stats`, or its error; `undefined` outside the list.
   */
  at(index: number): S | ErrnoException | undefined {
    let i = Math.trunc(index) || 0
    if (i < 0) i += this.length
    if (i < 0 || i >= this.length) return undefined
    return this.#make(i)
  }

  /** The `Stats` of the path at `index`, or `undefined` if it failed (or is outside the list). */
  stats(index: number): S | undefined {
    const r = this.at(index)
    return r instanceof Error ? undefined : r
  }

  /** The error of the path at `index`, or `undefined` if it was stat'ed (or is outside the list). */
  error(index: number): ErrnoException | undefined {
    const r = this.at(index)
    return r instanceof Error ? r : undefined
  }

  /** The results in the order of the paths. */
  *[Symbol.iterator](): IterableIterator<S | ErrnoException> {
    for (let i = 0; i < this.length; i++) yield this.at(i)!
  }

  #make(i: number): S | ErrnoException {
    const errno = this.#list.errnos?.[i] ?? 0
    if (errno !== 0) return errnoError(errno, this.#syscall, this.#paths[i])
    const fields = this.#list.fields
    return (fields instanceof Float64Array ? statsAt(fields, i) : bigIntStatsAt(fields, i)) as S
  }
}

/**
 * `stat` of every path of `paths` as one request with one promise: far less work per path
 * than one `stat` each (see the README, "Many stats at once"). Fulfils with a
 * {@link StatsList} in the order of `paths`; a path that fails is reported in its place
 * (a missing file is an answer), never by rejecting. Rejects only for bad arguments or an
 * abort. `paths`: an array of strings, Buffers or file: URLs (relative ones against the
 * cwd at the call). `{ bigint: true }`: `BigIntStats`.
 *
 * @group Core requests
 */
export function statMany(paths: readonly PathLike[], options: StatOptions & { bigint: true }): Promise<StatsList<BigIntStats>>
export function statMany(paths: readonly PathLike[], options?: StatOptions): Promise<StatsList<Stats>>
export function statMany(paths: readonly PathLike[], options?: StatOptions): Promise<StatsList<Stats | BigIntStats>> {
  return many(paths, options, true)
}

/**
 * `lstat` of every path of `paths` as one request with one promise: as
 * {@link statMany}, but a final symlink is reported itself, not followed.
 *
 * @group Core requests
 */
export function lstatMany(paths: readonly PathLike[], options: StatOptions & { bigint: true }): Promise<StatsList<BigIntStats>>
export function lstatMany(paths: readonly PathLike[], options?: StatOptions): Promise<StatsList<Stats>>
export function lstatMany(paths: readonly PathLike[], options?: StatOptions): Promise<StatsList<Stats | BigIntStats>> {
  return many(paths, options, false)
}

function many(paths: unknown, options: unknown, follow: boolean): Promise<StatsList<Stats | BigIntStats>> {
  return request(options, (o: Opts) => {
    validateOptionKeys(options, follow ? STAT_MANY_OPTIONS : LSTAT_MANY_OPTIONS)
    const bigint = options == null ? false : wantsBigInt(validateObject(options, 'options').bigint)
    if (!Array.isArray(paths)) throw invalidArgType('paths', 'an instance of Array', paths)
    const syscall = follow ? 'stat' : 'lstat'
    const { shown, joined } = native(paths)
    const id = binding.statMany(o.priority, joined, shown.length, follow, bigint)
    return track(id, o, (list) => new StatsList(list as StatList, shown, syscall), syscall)
  })
}

function wantsBigInt(value: unknown): boolean {
  return value === undefined ? false : validateBoolean(value, 'options.bigint')
}

/**
 * The paths as the binding takes them (each made absolute and followed by a NUL, in one
 * string, or in one Buffer if any is a Buffer), and as errors show them.
 */
function native(paths: readonly unknown[]): { shown: (string | Buffer)[]; joined: string | Buffer } {
  let relative = false
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]
    if (typeof p !== 'string') return nativeBuffers(paths)
    if (p.includes('\u0000')) throw invalidArgValue(`paths[${i}]`, p, 'must be a string, Uint8Array, or URL without null bytes')
    if (p.charCodeAt(0) !== SLASH) relative = true
  }
  // The common case, all strings: one join, one string for the binding to read.
  const shown = paths.slice() as string[]
  const absolutes = relative ? shown.map(made) : shown
  return { shown, joined: absolutes.length === 0 ? '' : `${absolutes.join('\u0000')}\u0000` }
}

function made<P extends string | Buffer>(p: P): P {
  return p.length === 0 ? p : (absolute(p) as P)
}

function nativeBuffers(paths: readonly unknown[]): { shown: (string | Buffer)[]; joined: Buffer } {
  const shown: (string | Buffer)[] = new Array(paths.length)
  const parts: Buffer[] = []
  for (let i = 0; i < paths.length; i++) {
    const p = plainPath(paths[i], `paths[${i}]`)
    shown[i] = p
    const abs = made(p)
    parts.push(typeof abs === 'string' ? Buffer.from(abs) : abs, NUL)
  }
  return { shown, joined: Buffer.concat(parts) }
}
