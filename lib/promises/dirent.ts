// Directory entries as node:fs gives them: `fs.Dirent` objects (Node's own class), whose
// type comes from the kernel's `DT_*`, or from an `lstat` where the filesystem does not
// report it (as Node does).

import { Dirent } from 'node:fs'
import { join } from 'node:path'

import { lstat } from '../requests.js'

/** libuv's `UV_DIRENT_*` (what `fs.Dirent` keeps) for each `DT_*` (`DT_x == S_IFx >> 12`). */
const UV_BY_DT: Record<number, number> = {
  8: 1, // DT_REG: UV_DIRENT_FILE
  4: 2, // DT_DIR: UV_DIRENT_DIR
  10: 3, // DT_LNK: UV_DIRENT_LINK
  1: 4, // DT_FIFO: UV_DIRENT_FIFO
  12: 5, // DT_SOCK: UV_DIRENT_SOCKET
  2: 6, // DT_CHR: UV_DIRENT_CHAR
  6: 7, // DT_BLK: UV_DIRENT_BLOCK
}
export const DT_UNKNOWN = 0
export const DT_DIR = 4

// `new fs.Dirent(name, type, path)`: Node's constructor; @types/node does not declare it.
const NodeDirent = Dirent as unknown as new (name: string | Buffer, type: number, path: string | Buffer) => Dirent

/** A `fs.Dirent` for an entry of known `DT_*` type in the directory `parent`. */
export function direntOf(name: string | Buffer, dt: number, parent: string | Buffer): Dirent {
  return new NodeDirent(name, UV_BY_DT[dt] ?? 0, parent)
}

/** `path.join` for string or Buffer paths (Node's `join` in lib/internal/fs/utils.js). */
export function joinPath(parent: string | Buffer, name: string | Buffer): string | Buffer {
  if (typeof parent === 'string' && typeof name === 'string') return join(parent, name)
  if (typeof parent === 'string') return Buffer.concat([Buffer.from(join(parent, '/')), name as Buffer])
  return Buffer.concat([parent, Buffer.from('/'), Buffer.from(name)])
}

/** The `DT_*` type of an entry the filesystem reported as `DT_UNKNOWN`, by `lstat`. */
export async function resolveUnknown(parent: string | Buffer, name: string | Buffer): Promise<number> {
  const st = await lstat(joinPath(parent, name))
  return (st.mode & 0o170000) >> 12
}
