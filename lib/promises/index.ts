// io-aio/promises: node:fs/promises on eio's thread pool. The same names, signatures,
// options, results and errors as Node 20's fs/promises (change one import), each call
// one eio request where eio has one for it. See README.md, "Migrating from fs/promises".

import { constants as fsConstants } from 'node:fs'
import { watch as nodeWatch } from 'node:fs/promises'

export { access, chmod, chown, lchmod, lchown, lstat, lutimes, stat, statfs, truncate, utimes } from './meta.js'
export type { StatOptions } from './meta.js'
export type { StatFs } from './stats.js'
export { link, mkdir, mkdtemp, readlink, realpath, rename, rmdir, symlink, unlink } from './names.js'
export type { MakeDirectoryOptions, NameEncoding, NameOptions, RmDirOptions } from './names.js'
export { appendFile, readFile, writeFile } from './files.js'
export { copyFile } from './copy.js'
export { cp } from './cp.js'
export type { CopyOptions } from './cp.js'
export type { ReadFileOptions, WriteData, WriteFileOptions } from './files.js'
export { FileHandle, open } from './handle.js'
export type { FileReadOptions, FileReadResult, FileWriteResult, ReadLinesOptions } from './handle.js'
export type { CreateReadStreamOptions, CreateWriteStreamOptions } from './streams.js'
export { Dir, opendir } from './dir.js'
export type { OpenDirOptions } from './dir.js'
export { readdir } from './readdir.js'
export type { ReaddirOptions } from './readdir.js'
export { rm } from './rm.js'
export type { RmOptions } from './rm.js'
export type { PathLike } from './args.js'

/** Node's `fs.constants` (the same object): `F_OK`, `O_*`, `S_*`, `COPYFILE_*`, ... */
export const constants: typeof fsConstants = fsConstants

/**
 * Node's own `fs/promises` `watch`, re-exported unchanged: watching is event-driven
 * (inotify, FSEvents), not a job for a thread pool.
 */
export const watch: typeof nodeWatch = nodeWatch
