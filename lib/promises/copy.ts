// copyFile: the contents and permission bits of a file into another, in one eio request.
// Unlike Node's (libuv's), it truncates the destination only when it existed and is not
// the source under another name, and on failure removes the destination only if it created
// it (see crates/eio-core/src/ops/fs/copy_file.rs).

import { constants as fsConstants } from 'node:fs'

import { binding } from '../native.js'
import { Out, request, track } from '../engine.js'
import { toPath } from '../paths.js'
import { getValidatedPath, validateInteger } from './args.js'
import type { PathLike } from './args.js'
import { settle } from './call.js'

const { COPYFILE_EXCL, COPYFILE_FICLONE, COPYFILE_FICLONE_FORCE } = fsConstants
const MAX_COPY_MODE = COPYFILE_EXCL | COPYFILE_FICLONE | COPYFILE_FICLONE_FORCE

/**
 * Copies the contents and permission bits of `src` to `dest` (created, or overwritten).
 * `mode` combines `constants.COPYFILE_EXCL` (fail if `dest` exists), `COPYFILE_FICLONE`
 * (copy-on-write clone where the filesystem can) and `COPYFILE_FICLONE_FORCE` (clone or
 * fail). A copy onto the source itself (any name of it) changes nothing.
 */
export async function copyFile(src: PathLike, dest: PathLike, mode?: number): Promise<void> {
  const from = getValidatedPath(src, 'src')
  const to = getValidatedPath(dest, 'dest')
  const flags = mode == null ? 0 : validateInteger(mode, 'mode', 0, MAX_COPY_MODE)
  await settle(
    request(undefined, (o) => {
      const a = toPath(from)
      const b = toPath(to)
      const id = binding.copyFile(o.priority, a.dir, a.path, b.dir, b.path, flags)
      return track<void>(id, o, Out.Void, 'copyfile', a.display, b.display)
    }),
  )
}
