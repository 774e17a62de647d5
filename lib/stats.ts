// Stats: the fields and is*() methods of Node's fs.Stats, built from the numbers the
// binding sends (see crates/eio-node/src/drain.rs for the order). `instanceof fs.Stats`
// holds, and the Date fields are built only when read.

import { Stats as NodeStats } from 'node:fs'

const S_IFMT = 0o170000

function ms(sec: number, nsec: number): number {
  return sec * 1e3 + nsec / 1e6
}

export class Stats {
  dev: number
  mode: number
  nlink: number
  uid: number
  gid: number
  rdev: number
  blksize: number
  ino: number
  size: number
  blocks: number
  atimeMs: number
  mtimeMs: number
  ctimeMs: number
  birthtimeMs: number
  /** Nanosecond parts, which the millisecond fields round away. */
  atimeNsec: number
  mtimeNsec: number
  ctimeNsec: number
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

  get atime(): Date { return new Date(this.atimeMs) }
  get mtime(): Date { return new Date(this.mtimeMs) }
  get ctime(): Date { return new Date(this.ctimeMs) }
  get birthtime(): Date { return new Date(this.birthtimeMs) }

  isFile(): boolean { return (this.mode & S_IFMT) === 0o100000 }
  isDirectory(): boolean { return (this.mode & S_IFMT) === 0o040000 }
  isSymbolicLink(): boolean { return (this.mode & S_IFMT) === 0o120000 }
  isBlockDevice(): boolean { return (this.mode & S_IFMT) === 0o060000 }
  isCharacterDevice(): boolean { return (this.mode & S_IFMT) === 0o020000 }
  isFIFO(): boolean { return (this.mode & S_IFMT) === 0o010000 }
  isSocket(): boolean { return (this.mode & S_IFMT) === 0o140000 }
}

// `stats instanceof fs.Stats` holds, as users of fs.promises expect.
Object.setPrototypeOf(Stats.prototype, NodeStats.prototype)
