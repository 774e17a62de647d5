// rm: Node's `rm` (`rm -f`, `rm -r`) on eio's requests: `rm -rf` is one `rmtree({ force })`
// request; otherwise an `lstat` (whose error Node reports for a missing path), then an
// `unlink`, or for a directory with `recursive` eio's `rmtree`. rmtree never follows a
// symlink out of the tree, even one swapped in while it runs (Node's rimraf walks by
// path), and leaves a filesystem mounted inside the tree alone (rejecting with EBUSY).

import { unlink } from '../requests.js'
import { rmtree } from '../composite.js'
import type { ErrnoException } from '../errors.js'
import { validateBoolean } from './args.js'
import { getValidatedPath } from './args.js'
import type { PathLike } from './args.js'
import { settle } from './call.js'
import { systemError } from './errors.js'
import { lstat } from './meta.js'
import { rmdirOptions } from './names.js'

/** The options of `rm`. */
export interface RmOptions {
  /** A missing path is not an error (`rm -f`). */
  force?: boolean
  /** Removes a directory with everything in it (`rm -r`). */
  recursive?: boolean
  /** Accepted and checked as Node does; eio's tree removal does not need retries. */
  maxRetries?: number
  /** Accepted and checked as Node does. */
  retryDelay?: number
}

function isMissing(err: unknown): boolean {
  return (err as ErrnoException)?.code === 'ENOENT'
}

/**
 * Removes `path`: a file or symlink, or with `recursive` a directory and everything in
 * it. A directory without `recursive` rejects with `ERR_FS_EISDIR`; with `force` a missing
 * path (also one that vanishes meanwhile) is not an error.
 */
export async function rm(path: PathLike, options?: RmOptions): Promise<void> {
  const p = getValidatedPath(path)
  const o = rmdirOptions(options, { recursive: false, force: false, retryDelay: 100, maxRetries: 0 })
  const force = validateBoolean(o.force, 'options.force')
  if (force && o.recursive) {
    // rm -rf: a missing path, a file, a directory tree: one request.
    await settle(rmtree(p, { force: true }))
    return
  }
  try {
    const st = await lstat(p)
    if (!st.isDirectory()) {
      await settle(unlink(p))
    } else if (o.recursive) {
      await settle(rmtree(p))
    } else {
      throw systemError('ERR_FS_EISDIR', 'Path is a directory', {
        code: 'EISDIR',
        message: 'is a directory',
        path: p.toString(),
        syscall: 'rm',
      })
    }
  } catch (err) {
    if (force && isMissing(err)) return
    throw err
  }
}
