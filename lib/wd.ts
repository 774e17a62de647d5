// Working directories (IO::AIO's aio_wd): a directory fd and its canonical path. Paths
// given as [wd, relative] resolve against the fd with the *at syscalls, so they keep
// working if the directory is renamed. A Wd does not confine: '..', absolute paths and
// symlinks lead out of it.

import type { WdHandle } from '../binding.js'
import { errnoError } from './errors.js'

const EBADF = 9

export class Wd {
  /** The canonical absolute path the directory had when it was opened. */
  readonly path: string
  #handle: WdHandle | null

  /** @internal Use `wd(path)`. */
  constructor(handle: WdHandle, path: string) {
    this.#handle = handle
    this.path = path
  }

  /** @internal The native handle; throws EBADF once closed. */
  handle(): WdHandle {
    if (this.#handle === null) throw errnoError(EBADF, 'openat', this.path)
    return this.#handle
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#handle === null
  }

  /** Closes the directory fd (requests already in flight finish with it). Idempotent. */
  close(): void {
    this.#handle?.close()
    this.#handle = null
  }

  [Symbol.dispose](): void {
    this.close()
  }
}
