// What GNU cp (and mv across filesystems) says about an error of eio's copy, which names
// the entry it failed on in the source (`path`) and in the destination (`dest`).

import { accessSync, constants as fsConstants, lstatSync } from 'node:fs'

import { quote } from './quote.js'
import { describeError } from './report.js'
import type { SystemError } from './report.js'
import type { Pair } from './target.js'

/**
 * Whether an `open` that failed was the source's: eio names both entries, and GNU tells
 * reading the source ("cannot open ... for reading", "cannot access") from creating the
 * destination. Asked after the failure, of the source itself.
 */
function sourceFailed(src: string): boolean {
  try {
    accessSync(src, fsConstants.R_OK)
    return false
  } catch {
    return true
  }
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory()
  } catch {
    return false
  }
}

/** GNU cp's message for `err`: `cannot create regular file 'x': Permission denied`, ... */
export function describeCopyError(err: SystemError, pair: Pair): string {
  const src = err.path ?? pair.src
  const dst = err.dest ?? pair.dst
  const why = describeError(err)
  switch (err.syscall) {
    case 'mkdir':
      return `cannot create directory ${quote(dst)}: ${why}`
    case 'symlink':
      return `cannot create symbolic link ${quote(dst)}: ${why}`
    case 'mknod':
    case 'mkfifo':
      return `cannot create special file ${quote(dst)}: ${why}`
    case 'link':
      return `cannot create hard link ${quote(dst)} to ${quote(src)}: ${why}`
    case 'chown':
    case 'fchown':
    case 'lchown':
      return `failed to preserve ownership for ${quote(dst)}: ${why}`
    case 'utime':
    case 'futime':
    case 'lutime':
      return `preserving times for ${quote(dst)}: ${why}`
    case 'chmod':
    case 'fchmod':
      return `preserving permissions for ${quote(dst)}: ${why}`
    case 'write':
    case 'copy_file_range':
    case 'sendfile':
      return `error writing ${quote(dst)}: ${why}`
    case 'read':
      return `error reading ${quote(src)}: ${why}`
    case 'scandir':
    case 'opendir':
      return `cannot access ${quote(src)}: ${why}`
    case 'stat':
    case 'lstat':
    case 'fstat':
      return `cannot stat ${quote(src)}: ${why}`
  }
  const directory = isDirectory(src)
  if (err.dest === undefined || sourceFailed(src)) return directory ? `cannot access ${quote(src)}: ${why}` : `cannot open ${quote(src)} for reading: ${why}`
  return directory ? `cannot create directory ${quote(dst)}: ${why}` : `cannot create regular file ${quote(dst)}: ${why}`
}
