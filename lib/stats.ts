// Stats and BigIntStats: the fields and is*() methods of Node's fs.Stats and of what
// `fs.stat(p, { bigint: true })` returns. lib/wire.ts builds them from the wire's fields.
// `instanceof fs.Stats` holds for Stats; the Date fields of Stats are built only when read.

import { Stats as NodeStats } from 'node:fs'

const S_IFMT = 0o170000
const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000
const S_IFBLK = 0o060000
const S_IFCHR = 0o020000
const S_IFIFO = 0o010000
const S_IFSOCK = 0o140000

function ms(sec: number, nsec: number): number {
  return sec * 1e3 + nsec / 1e6
}

/**
 * What `stat` and `lstat` fulfil with: the fields and `is*()` methods of Node's `fs.Stats` (and `instanceof fs.Stats` holds).
 *
 * @group Results and errors
 */
export class Stats {
  // `declare`: the constructor defines the fields, in Node's order; a class field would
  // first define each as undefined (ES2022), twice the work for every stat.
  /** ID of the device holding the file. */
  declare dev: number
  /** File type and permission bits (`S_IF*`, `S_I*` in `constants`). */
  declare mode: number
  /** Number of hard links. */
  declare nlink: number
  /** Owner user ID. */
  declare uid: number
  /** Owner group ID. */
  declare gid: number
  /** Device ID, for a device file. */
  declare rdev: number
  /** Preferred block size for I/O. */
  declare blksize: number
  /** Inode number. */
  declare ino: number
  /** Size in bytes. */
  declare size: number
  /** Number of 512-byte blocks allocated. */
  declare blocks: number
  /** Last access time, milliseconds since the epoch. */
  declare atimeMs: number
  /** Last modification time, milliseconds since the epoch. */
  declare mtimeMs: number
  /** Last status change time, milliseconds since the epoch. */
  declare ctimeMs: number
  /** Creation time, milliseconds since the epoch, where the filesystem records it. */
  declare birthtimeMs: number
  /** Nanosecond part of the access time, which the millisecond fields round away. */
  declare atimeNsec: number
  /** Nanosecond part of the modification time. */
  declare mtimeNsec: number
  /** Nanosecond part of the status change time. */
  declare ctimeNsec: number
  /** Nanosecond part of the creation time. */
  declare birthtimeNsec: number

  /** @internal Times as seconds and nanoseconds. */
  constructor(
    dev: number, mode: number, nlink: number, uid: number, gid: number, rdev: number, blksize: number,
    ino: number, size: number, blocks: number,
    atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number,
    ctimeSec: number, ctimeNsec: number, birthtimeSec: number, birthtimeNsec: number,
  ) {
    this.dev = dev
    this.mode = mode
    this.nlink = nlink
    this.uid = uid
    this.gid = gid
    this.rdev = rdev
    this.blksize = blksize
    this.ino = ino
    this.size = size
    this.blocks = blocks
    this.atimeMs = ms(atimeSec, atimeNsec)
    this.mtimeMs = ms(mtimeSec, mtimeNsec)
    this.ctimeMs = ms(ctimeSec, ctimeNsec)
    this.birthtimeMs = ms(birthtimeSec, birthtimeNsec)
    this.atimeNsec = atimeNsec
    this.mtimeNsec = mtimeNsec
    this.ctimeNsec = ctimeNsec
    this.birthtimeNsec = birthtimeNsec
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
  isFile(): boolean { return (this.mode & S_IFMT) === S_IFREG }
  /** Whether the file is a directory. */
  isDirectory(): boolean { return (this.mode & S_IFMT) === S_IFDIR }
  /** Whether the file is a symbolic link (only from `lstat`). */
  isSymbolicLink(): boolean { return (this.mode & S_IFMT) === S_IFLNK }
  /** Whether the file is a block device. */
  isBlockDevice(): boolean { return (this.mode & S_IFMT) === S_IFBLK }
  /** Whether the file is a character device. */
  isCharacterDevice(): boolean { return (this.mode & S_IFMT) === S_IFCHR }
  /** Whether the file is a FIFO (named pipe). */
  isFIFO(): boolean { return (this.mode & S_IFMT) === S_IFIFO }
  /** Whether the file is a socket. */
  isSocket(): boolean { return (this.mode & S_IFMT) === S_IFSOCK }
}

// `stats instanceof fs.Stats` holds, as users of fs.promises expect.
Object.setPrototypeOf(Stats.prototype, NodeStats.prototype)

const NS_PER_SEC = 1_000_000_000n
const NS_PER_MS = 1_000_000n

/**
 * What `stat`, `lstat` and `stat(fd)` fulfil with given `{ bigint: true }`: Node's
 * `BigIntStats`, every number an exact bigint (64-bit device and inode numbers, sizes),
 * with the times also in nanoseconds (`atimeNs`...). Equal, field for field, to
 * `fs.statSync(path, { bigint: true })`.
 *
 * @group Results and errors
 */
export class BigIntStats {
  /** ID of the device holding the file. */
  dev: bigint
  /** File type and permission bits (`S_IF*`, `S_I*` in `constants`). */
  mode: bigint
  /** Number of hard links. */
  nlink: bigint
  /** Owner user ID. */
  uid: bigint
  /** Owner group ID. */
  gid: bigint
  /** Device ID, for a device file. */
  rdev: bigint
  /** Preferred block size for I/O. */
  blksize: bigint
  /** Inode number. */
  ino: bigint
  /** Size in bytes. */
  size: bigint
  /** Number of 512-byte blocks allocated. */
  blocks: bigint
  /** Last access time, whole milliseconds since the epoch. */
  atimeMs: bigint
  /** Last modification time, whole milliseconds since the epoch. */
  mtimeMs: bigint
  /** Last status change time, whole milliseconds since the epoch. */
  ctimeMs: bigint
  /** Creation time, whole milliseconds since the epoch, where the filesystem records it. */
  birthtimeMs: bigint
  /** Last access time, nanoseconds since the epoch. */
  atimeNs: bigint
  /** Last modification time, nanoseconds since the epoch. */
  mtimeNs: bigint
  /** Last status change time, nanoseconds since the epoch. */
  ctimeNs: bigint
  /** Creation time, nanoseconds since the epoch. */
  birthtimeNs: bigint
  /** Last access time. */
  atime: Date
  /** Last modification time. */
  mtime: Date
  /** Last status change time. */
  ctime: Date
  /** Creation time. */
  birthtime: Date

  /** @internal Times as seconds and nanoseconds. */
  constructor(
    dev: bigint, mode: bigint, nlink: bigint, uid: bigint, gid: bigint, rdev: bigint, blksize: bigint,
    ino: bigint, size: bigint, blocks: bigint,
    atimeSec: bigint, atimeNsec: bigint, mtimeSec: bigint, mtimeNsec: bigint,
    ctimeSec: bigint, ctimeNsec: bigint, birthtimeSec: bigint, birthtimeNsec: bigint,
  ) {
    this.dev = dev
    this.mode = mode
    this.nlink = nlink
    this.uid = uid
    this.gid = gid
    this.rdev = rdev
    this.blksize = blksize
    this.ino = ino
    this.size = size
    this.blocks = blocks
    // Node's fields, order and arithmetic: whole milliseconds by truncation, Dates rounded.
    const atimeNs = atimeSec * NS_PER_SEC + atimeNsec
    const mtimeNs = mtimeSec * NS_PER_SEC + mtimeNsec
    const ctimeNs = ctimeSec * NS_PER_SEC + ctimeNsec
    const birthtimeNs = birthtimeSec * NS_PER_SEC + birthtimeNsec
    this.atimeMs = atimeNs / NS_PER_MS
    this.mtimeMs = mtimeNs / NS_PER_MS
    this.ctimeMs = ctimeNs / NS_PER_MS
    this.birthtimeMs = birthtimeNs / NS_PER_MS
    this.atimeNs = atimeNs
    this.mtimeNs = mtimeNs
    this.ctimeNs = ctimeNs
    this.birthtimeNs = birthtimeNs
    this.atime = new Date(Math.round(Number(this.atimeMs)))
    this.mtime = new Date(Math.round(Number(this.mtimeMs)))
    this.ctime = new Date(Math.round(Number(this.ctimeMs)))
    this.birthtime = new Date(Math.round(Number(this.birthtimeMs)))
  }

  #type(): bigint {
    return this.mode & BigInt(S_IFMT)
  }

  /** Whether the file is a regular file. */
  isFile(): boolean { return this.#type() === BigInt(S_IFREG) }
  /** Whether the file is a directory. */
  isDirectory(): boolean { return this.#type() === BigInt(S_IFDIR) }
  /** Whether the file is a symbolic link (only from `lstat`). */
  isSymbolicLink(): boolean { return this.#type() === BigInt(S_IFLNK) }
  /** Whether the file is a block device. */
  isBlockDevice(): boolean { return this.#type() === BigInt(S_IFBLK) }
  /** Whether the file is a character device. */
  isCharacterDevice(): boolean { return this.#type() === BigInt(S_IFCHR) }
  /** Whether the file is a FIFO (named pipe). */
  isFIFO(): boolean { return this.#type() === BigInt(S_IFIFO) }
  /** Whether the file is a socket. */
  isSocket(): boolean { return this.#type() === BigInt(S_IFSOCK) }
}
