// Working directories (IO::AIO's aio_wd): a directory fd and its canonical path. Paths
// given as [wd, relative] resolve against the fd with the *at syscalls, so they keep
// working if the directory is renamed. A Wd does not confine: '..', absolute paths and
// symlinks lead out of it.

import { inspect } from 'node:util'

import { binding } from './native.js'
import type { WdHandle } from '../binding.js'
import { errnoError } from './errors.js'

const EBADF = 9

/**
 * A working directory, made by `wd(path)`: an open directory (`O_PATH|O_DIRECTORY`) that
 * requests resolve relative paths against, as the `*at` syscalls do. Every path argument
 * takes a `Wd` (the directory itself, as `[wd, '.']`) or a `[wd, relative]` pair; an
 * absolute path in the pair ignores the Wd.
 *
 * Because the fd, not the path, is used, `[wd, name]` keeps naming the same directory's
 * entry after the directory was renamed or moved (`path` then shows the old name).
 *
 * A Wd does **not** confine: `'..'`, absolute paths and symlinks inside it lead out of it
 * as usual. Do not use it as a sandbox.
 *
 * The directory's own name is not known to requests that act on a name: `rmdir(wd)`,
 * `rename(wd, ...)`, `unlink(wd)` act on `'.'` and fail as the kernel fails them (`EINVAL`
 * for rmdir, `EBUSY` for rename, `EISDIR` for unlink) rather than falling back to the
 * stored `path` (which may be stale, as IO::AIO's fallback was). Use the parent:
 * `rmdir(wd.path)` or `rmdir([parentWd, name])`.
 *
 * `close()` (or `using`) releases the fd at once; a Wd that is garbage-collected releases
 * it too. Requests already in flight keep the directory open until they finish.
 *
 * @group Names and directories
 */
export class Wd {
  #handle: WdHandle | null
  /** null: the process's cwd, looked up each time (`CWD`). */
  readonly #path: string | null

  /** @internal Use `wd(path)`. */
  constructor(handle: WdHandle, path: string | null) {
    this.#handle = handle
    this.#path = path
  }

  /**
   * The canonical absolute path the directory had when it was opened (for `CWD`: the
   * process's current directory now). Bytes that are not UTF-8 show as U+FFFD here;
   * `realpath(wd, { encoding: 'buffer' })` gives them exactly (and the current path).
   */
  get path(): string {
    return this.#path ?? process.cwd()
  }

  /** @internal The native handle; throws EBADF once closed. */
  handle(): WdHandle {
    if (this.#handle === null) throw errnoError(EBADF, 'openat', this.#path ?? undefined)
    return this.#handle
  }

  /** Whether `close()` was called (never true for `CWD`). */
  get closed(): boolean {
    return this.#handle === null
  }

  /**
   * Closes the directory fd (requests already in flight finish with it). Idempotent;
   * does nothing on `CWD`, which holds no fd.
   */
  close(): void {
    if (this.#path === null) return
    this.#handle?.close()
    this.#handle = null
  }

  /** Closes the directory fd at the end of a `using` block, as `close()`. */
  [Symbol.dispose](): void {
    this.close()
  }

  /** Shows the path and whether it is closed: `Wd { path: '/tmp' }`. */
  [inspect.custom](): string {
    const cwd = this.#path === null ? ' (cwd)' : ''
    return `Wd { path: ${inspect(this.path)}${cwd}${this.closed ? ', closed' : ''} }`
  }
}

/**
 * IO::AIO's `CWD`: the process's current directory as a `Wd`. It holds no fd: paths
 * relative to it are resolved against whatever the cwd is when the request runs
 * (`AT_FDCWD`), so it follows `process.chdir()`. (A plain relative path, by contrast, is
 * made absolute against the cwd when the request is made.) `close()` does nothing.
 *
 * @group Names and directories
 */
export const CWD: Wd = new Wd(binding.WdHandle.cwd(), null)
