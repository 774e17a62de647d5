// Stats: the fields and is*() methods of Node's fs.Stats, built from the numbers the
// binding sends (see crates/eio-node/src/drain.rs for the order). `instanceof fs.Stats`
// holds, and the Date fields are built only when read.

import { Stats as NodeStats } from 'node:fs'

const S_IFMT = 0o170000

function ms(sec: number, nsec: number): number {
  return sec * 1e3 + nsec / 1e6
}

/** What `stat` and `lstat` fulfil with: the fields and `is*()` methods of Node's `fs.Stats` (and `instanceof fs.Stats` holds). */
export class Stats {
  /** ID of the device holding the file. */
  dev: number
  /** File type and permission bits (`S_IF*`, `S_I*` in `constants`). */
  mode: number
  /** Number of hard links. */
  nlink: number
  /** Owner user ID. */
  uid: number
  /** Owner group ID. */
  gid: number
  /** Device ID, for a device file. */
  rdev: number
  /** Preferred block size for I/O. */
  blksize: number
  /** Inode number. */
  ino: number
  /** Size in bytes. */
  size: number
  /** Number of 512-byte blocks allocated. */
  blocks: number
  /** Last access time, milliseconds since the epoch. */
  atimeMs: number
  /** Last modification time, milliseconds since the epoch. */
  mtimeMs: number
  /** Last status change time, milliseconds since the epoch. */
  ctimeMs: number
  /** Creation time, milliseconds since the epoch, where the filesystem records it. */
  birthtimeMs: number
  /** Nanosecond part of the access time, which the millisecond fields round away. */
  atimeNsec: number
  /** Nanosecond part of the modification time. */
  mtimeNsec: number
  /** Nanosecond part of the status change time. */
  ctimeNsec: number
  /** Nanosecond part of the creation time. */
  birthtimeNsec: number

  /** @internal */
  constructor(v: Float64Array, i: number) {
    this.dev = v[i]
    this.mode = v[i + 1]
    this.nlink = v[i + 2]
    this.uid = v[i + 3]
    this.gid = v[i + 4]
    this.rdev = v[i + 5]
    this.blksize = v[i + 6]
    this.ino = v[i + 7]
    this.size = v[i + 8]
    this.blocks = v[i + 9]
    this.atimeMs = ms(v[i + 10], v[i + 11])
    this.atimeNsec = v[i + 11]
    this.mtimeMs = ms(v[i + 12], v[i + 13])
    this.mtimeNsec = v[i + 13]
    this.ctimeMs = ms(v[i + 14], v[i + 15])
    this.ctimeNsec = v[i + 15]
    this.birthtimeMs = ms(v[i + 16], v[i + 17])
    this.birthtimeNsec = v[i + 17]
  }

  // The Dates are rounded to the nearest millisecond as Node's fs.Stats does (a Date
  // would truncate), so that `atime` equals fs.statSync(p).atime.
  /** Last access time. */
  get atime(): Date { return new Date(Math.round(this.atimeMs)) }
  /** Last modification time. */
  get mtime(): Date { return new Date(Math.round(this.mtimeMs)) }
  /** Last status change time. */
  get ctime(): Date { return new Date(Math.round(this.ctimeMs)) }
  /** Creation time. */
  get birthtime(): Date { return new Date(Math.round(this.birthtimeMs)) }

  /** Whether the file is a regular file. */
  isFile(): boolean { return (this.mode & S_IFMT) === 0o100000 }
  /** Whether the file is a directory. */
  isDirectory(): boolean { return (this.mode & S_IFMT) === 0o040000 }
  /** Whether the file is a symbolic link (only from `lstat`). */
  isSymbolicLink(): boolean { return (this.mode & S_IFMT) === 0o120000 }
  /** Whether the file is a block device. */
  isBlockDevice(): boolean { return (this.mode & S_IFMT) === 0o060000 }
  /** Whether the file is a character device. */
  isCharacterDevice(): boolean { return (this.mode & S_IFMT) === 0o020000 }
  /** Whether the file is a FIFO (named pipe). */
  isFIFO(): boolean { return (this.mode & S_IFMT) === 0o010000 }
  /** Whether the file is a socket. */
  isSocket(): boolean { return (this.mode & S_IFMT) === 0o140000 }
}

// `stats instanceof fs.Stats` holds, as users of fs.promises expect.
Object.setPrototypeOf(Stats.prototype, NodeStats.prototype)
