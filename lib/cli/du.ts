// io-aio du: GNU du over eio's parallel walk with each entry's lstat in its batch
// (`walk({ stat: true })`). GNU du reads a tree depth first and prints a directory once
// its contents are summed; the walk reads in parallel, so du first gathers the tree (a
// node per entry, children in the order their directory listed them) and then goes
// through it as GNU's fts would, deciding there which of several hard links counts
// (the first met) and printing in GNU's order. `-s` without `-a` needs only the sums,
// which no order changes: the entries are added up as they arrive and nothing is kept.

import { readFileSync } from 'node:fs'

import { constants, lstat, stat, walk } from '../../index.js'
import type { Stats, WalkEntry } from '../../index.js'
import { parseOptions, UsageError } from './args.js'
import type { Command, Context } from './command.js'
import { compilePattern } from './fnmatch.js'
import { quote, quoteLocale, utf8Locale } from './quote.js'
import { describeError, isAbort, Tally } from './report.js'
import { BlockSizeError, defaultBlockSize, formatSize, parseBlockSize } from './size.js'
import type { SizeFormat } from './size.js'

export interface DuArgs {
  /** -a: files too, not only directories. */
  all: boolean
  /** -c: a grand total last. */
  total: boolean
  /** -b, --apparent-size: st_size instead of the blocks allocated. */
  apparent: boolean
  /** -l: hard links counted every time they are met. */
  countLinks: boolean
  /** -S: a directory's size leaves out its subdirectories. */
  separateDirs: boolean
  /** -x: entries on another filesystem than their starting point are left out. */
  oneFileSystem: boolean
  /** -P (never follow symlinks), -H (follow the operands), -L (follow all). */
  follow: 'P' | 'H' | 'L'
  /** -d N, -s (0): the deepest level printed. */
  maxDepth: number
  /** -0: lines end with NUL. */
  nul: boolean
  format: SizeFormat
  /** --exclude: patterns of paths left out (with what is below them). */
  excludes: RegExp[]
  operands: string[]
  /** Said before anything is done (-s with -d 0). */
  warning?: string
}

const OPTIONS = {
  all: { type: 'boolean', short: 'a' },
  'apparent-size': { type: 'boolean' },
  'block-size': { type: 'string', short: 'B' },
  bytes: { type: 'boolean', short: 'b' },
  total: { type: 'boolean', short: 'c' },
  'dereference-args': { type: 'boolean', short: 'D' },
  H: { type: 'boolean', short: 'H' },
  dereference: { type: 'boolean', short: 'L' },
  'no-dereference': { type: 'boolean', short: 'P' },
  'max-depth': { type: 'string', short: 'd' },
  'human-readable': { type: 'boolean', short: 'h' },
  si: { type: 'boolean' },
  k: { type: 'boolean', short: 'k' },
  m: { type: 'boolean', short: 'm' },
  'count-links': { type: 'boolean', short: 'l' },
  null: { type: 'boolean', short: '0' },
  'separate-dirs': { type: 'boolean', short: 'S' },
  summarize: { type: 'boolean', short: 's' },
  'one-file-system': { type: 'boolean', short: 'x' },
  exclude: { type: 'string' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const

/** -d's argument: a non-negative decimal (or 0x/0 prefixed) integer. */
function parseDepth(arg: string): number | undefined {
  const m = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(arg)
  if (m === null) return undefined
  const n = Number(/^0[0-7]/.test(m[1]) ? `0o${m[1].slice(1)}` : m[1])
  return Number.isSafeInteger(n) ? n : undefined
}

function parse(args: readonly string[]): DuArgs | 'help' | 'version' {
  const { values, given, operands } = parseOptions(args, OPTIONS)
  if (values.help) return 'help'
  if (values.version) return 'version'
  const parsed: DuArgs = {
    all: false,
    total: false,
    apparent: false,
    countLinks: false,
    separateDirs: false,
    oneFileSystem: false,
    follow: 'P',
    maxDepth: Infinity,
    nul: false,
    format: defaultBlockSize(),
    excludes: [],
    operands: operands.length > 0 ? operands : ['.'],
  }
  let summarize = false
  let depthGiven = false
  let badDepth: string | undefined
  // In order, as getopt hands them to du: the last of -b, -k, -m, -h, --si, -B wins.
  for (const { name, spelled, value } of given) {
    switch (name) {
      case 'all':
        parsed.all = true
        break
      case 'apparent-size':
        parsed.apparent = true
        break
      case 'bytes':
        parsed.apparent = true
        parsed.format = { blockSize: 1 }
        break
      case 'block-size':
        try {
          parsed.format = parseBlockSize(value!, spelled)
        } catch (err) {
          if (err instanceof BlockSizeError) throw new UsageError(err.message, false)
          throw err
        }
        break
      case 'k':
        parsed.format = { blockSize: 1024 }
        break
      case 'm':
        parsed.format = { blockSize: 1024 * 1024 }
        break
      case 'human-readable':
        parsed.format = { human: true, blockSize: 1 }
        break
      case 'si':
        parsed.format = { human: true, decimal: true, blockSize: 1 }
        break
      case 'total':
        parsed.total = true
        break
      case 'dereference-args':
      case 'H':
        parsed.follow = 'H'
        break
      case 'dereference':
        parsed.follow = 'L'
        break
      case 'no-dereference':
        parsed.follow = 'P'
        break
      case 'max-depth': {
        const depth = parseDepth(value!)
        if (depth === undefined) badDepth ??= value!
        else {
          parsed.maxDepth = depth
          depthGiven = true
        }
        break
      }
      case 'count-links':
        parsed.countLinks = true
        break
      case 'null':
        parsed.nul = true
        break
      case 'separate-dirs':
        parsed.separateDirs = true
        break
      case 'summarize':
        summarize = true
        break
      case 'one-file-system':
        parsed.oneFileSystem = true
        break
      case 'exclude':
        parsed.excludes.push(compilePattern(value!))
        break
    }
  }
  if (badDepth !== undefined) throw new UsageError(`invalid maximum depth ${quoteLocale(badDepth)}`)
  if (parsed.all && summarize) throw new UsageError('cannot both summarize and show all entries')
  if (summarize && depthGiven && parsed.maxDepth !== 0) throw new UsageError(`warning: summarizing conflicts with --max-depth=${parsed.maxDepth}`)
  if (summarize && depthGiven) parsed.warning = 'warning: summarizing is the same as using --max-depth=0'
  if (summarize) parsed.maxDepth = 0
  return parsed
}

/**
 * What one entry is to du: its name, its own size and what says whether it was met
 * before; a directory of the gathered tree has its children, in its listing's order.
 */
interface Node {
  name: Buffer
  size: number
  dev: number
  ino: number
  nlink: number
  dir: boolean
  children?: Node[]
}

function nodeOf(name: Buffer, st: Stats, apparent: boolean): Node {
  return { name, size: apparent ? Math.max(0, st.size) : st.blocks * 512, dev: st.dev, ino: st.ino, nlink: st.nlink, dir: st.isDirectory() }
}

/** Sums in du's terms: an entry's own size, its files' (and, without -S, its subdirectories' own), and all below. */
interface Sums {
  own: number
  files: number
  below: number
}

/** One du command: the options, the inodes counted so far (over all operands) and the grand total. */
class Du {
  /** Inodes counted (`dev:ino`): hard links, or with several operands or -L everything. */
  readonly #seen = new Set<string>()
  readonly #hashAll: boolean
  readonly #encoding: BufferEncoding = utf8Locale() ? 'utf8' : 'latin1'
  readonly #eol: Buffer
  grandTotal = 0

  constructor(
    readonly ctx: Context,
    readonly args: DuArgs,
    readonly tally: Tally,
  ) {
    this.#hashAll = args.operands.length > 1 || args.follow === 'L'
    this.#eol = Buffer.of(args.nul ? 0 : 0x0a)
  }

  /** Whether `e` was counted before (then it is skipped); remembers it if it may be met again. */
  countedBefore(e: Node): boolean {
    if (this.args.countLinks || !(this.#hashAll || (!e.dir && e.nlink > 1))) return false
    const key = `${e.dev}:${e.ino}`
    if (this.#seen.has(key)) return true
    this.#seen.add(key)
    return false
  }

  /** Whether --exclude leaves `path` out: a pattern matches it or what follows one of its slashes. */
  excluded(path: Buffer): boolean {
    if (this.args.excludes.length === 0) return false
    const text = path.toString(this.#encoding)
    const tails = [text]
    for (let i = text.indexOf('/'); i >= 0; i = text.indexOf('/', i + 1)) if (text[i + 1] !== '/') tails.push(text.slice(i + 1))
    return this.args.excludes.some((re) => tails.some((tail) => re.test(tail)))
  }

  print(size: number, path: Buffer | string): void {
    const out = this.ctx.out
    out.write(`${formatSize(size, this.args.format)}\t`)
    out.write(path)
    out.write(this.#eol)
  }

  /** Measures one operand. */
  async operand(arg: string): Promise<void> {
    const { report, signal } = this.ctx
    if (arg === '') return report.error('invalid zero-length file name')
    const path = trimSlashes(arg)
    let st: Stats
    try {
      st = await operandStats(path, this.args.follow, signal)
    } catch (err) {
      if (isAbort(err)) throw err
      report.error(`cannot access ${quote(path)}${await accessFailure(path, err, this.args.follow !== 'P')}`)
      return
    }
    const top = nodeOf(Buffer.from(path), st, this.args.apparent)
    if (this.excluded(Buffer.from(path)) || this.countedBefore(top)) return
    this.grandTotal += top.size
    if (!top.dir) return this.print(top.size, path)
    if (this.args.maxDepth === 0 && !this.args.all) return this.summarize(path, st, top)
    return this.tree(path, st, top)
  }

  /** -s: the operand's total, summed as entries arrive. */
  async summarize(path: string, st: Stats, top: Node): Promise<void> {
    const sums: Sums = { own: top.size, files: 0, below: 0 }
    await this.walk(path, st, (entry, e) => {
      if (this.countedBefore(e)) return
      this.grandTotal += e.size
      if (entry.depth > 0) sums.below += e.size
      else if (!(e.dir && this.args.separateDirs)) sums.files += e.size
    })
    this.print(printed(sums, this.args.separateDirs), path)
  }

  /** The operand's tree gathered, then gone through depth first in listing order. */
  async tree(path: string, st: Stats, root: Node): Promise<void> {
    root.children = []
    const dirs = new Map<string, Node>([[root.name.toString('latin1'), root]])
    let lastParent: Buffer | undefined
    let parent = root
    await this.walk(path, st, (entry, node) => {
      // Entries of one directory come together and share their parentPath.
      if (entry.parentPath !== lastParent) {
        lastParent = entry.parentPath
        parent = dirs.get(entry.parentPath.toString('latin1'))!
      }
      if (node.dir) {
        node.children = []
        dirs.set(entry.path.toString('latin1'), node)
      }
      parent.children!.push(node)
    })
    for (const dir of dirs.values()) if (dir.children!.length > INODE_SORT_THRESHOLD && sortsByInode(dir.dev)) dir.children!.sort((a, b) => a.ino - b.ino)
    dirs.clear()
    this.report(root)
  }

  /**
   * Walks below an operand (a directory), calling `each` with every entry to count: not
   * excluded, not on another filesystem (-x), not a link that -L cannot follow. Hard links
   * are left to `each`.
   */
  async walk(path: string, st: Stats, each: (entry: WalkEntry<Buffer>, node: Node) => void): Promise<void> {
    const { report, signal } = this.ctx
    const { oneFileSystem, excludes, apparent, follow } = this.args
    const leftOut = (entry: WalkEntry<Buffer>) => (oneFileSystem && entry.stats!.dev !== st.dev) || (excludes.length > 0 && this.excluded(entry.path))
    const entries = walk(path, {
      encoding: 'buffer',
      stat: true,
      followSymlinks: follow === 'L',
      signal,
      exclude: oneFileSystem || excludes.length > 0 ? leftOut : undefined,
      onError: (err) => report.error(`${err.syscall === 'lstat' || err.syscall === 'stat' ? 'cannot access' : 'cannot read directory'} ${quote(err.path ?? path)}: ${describeError(err)}`),
      onProgress: (counts) => {
        this.tally.update(counts)
        report.progress(this.tally.total, 'read')
      },
    })
    try {
      for await (const entry of entries) {
        if (leftOut(entry)) continue
        // -L: a link still a link is dangling, unfollowable, or a loop (its target counted already).
        if (follow === 'L' && entry.type === constants.DT_LNK && !(await this.followable(entry.path))) continue
        each(entry, nodeOf(entry.name, entry.stats, apparent))
      }
    } catch (err) {
      // The operand itself cannot be read: du counts it by its own size, as a directory below.
      if (isAbort(err) || typeof (err as { errno?: unknown }).errno !== 'number') throw err
      report.error(`cannot read directory ${quote(path)}: ${describeError(err)}`)
    } finally {
      this.tally.finish()
    }
  }

  /** For -L, a link the walk did not follow: reports a dangling or unfollowable one (false); true for a loop. */
  async followable(path: Buffer): Promise<boolean> {
    try {
      await stat(path, { signal: this.ctx.signal })
      return false // a loop: du -L met its target before and counts it once
    } catch (err) {
      if (isAbort(err)) throw err
      this.ctx.report.error(`cannot access ${quote(path)}${await accessFailure(path, err, this.args.follow !== 'P')}`)
      return false
    }
  }

  /**
   * Goes through a gathered tree as GNU du's fts does: depth first, children in listing
   * order, an inode counted where it is met first; prints directories (and with -a files)
   * down to the maximum depth, each directory after its contents.
   */
  report(root: Node): void {
    const { all, maxDepth, separateDirs } = this.args
    const frames: { node: Node; path: Buffer; next: number; sums: Sums }[] = []
    frames.push({ node: root, path: root.name, next: 0, sums: { own: root.size, files: 0, below: 0 } })
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]
      const children = frame.node.children!
      if (frame.next === children.length) {
        frames.pop()
        const level = frames.length
        if (level <= maxDepth) this.print(printed(frame.sums, separateDirs), frame.path)
        const up = frames.at(-1)
        if (up !== undefined) {
          up.sums.below += frame.sums.files + frame.sums.below
          if (!separateDirs) up.sums.files += frame.sums.own
        }
        continue
      }
      const child = children[frame.next++]
      if (this.countedBefore(child)) continue
      this.grandTotal += child.size
      if (child.dir) {
        frames.push({ node: child, path: joinName(frame.path, child.name), next: 0, sums: { own: child.size, files: 0, below: 0 } })
        continue
      }
      frame.sums.files += child.size
      if (all && frames.length <= maxDepth) this.print(child.size, joinName(frame.path, child.name))
    }
  }
}

/** Entries past which GNU's fts lists a directory in inode order (it reads faster so). */
const INODE_SORT_THRESHOLD = 10_000
/** Filesystems where fts does not sort by inode: it would gain nothing there. */
const UNSORTED_FILESYSTEMS = new Set(['tmpfs', 'devtmpfs', 'nfs', 'nfs4', 'cifs', 'smb3'])
let filesystemTypes: Map<number, string> | undefined

/** Whether fts sorts a large directory of the device `dev` by inode: not on tmpfs, NFS or CIFS. */
function sortsByInode(dev: number): boolean {
  if (filesystemTypes === undefined) {
    filesystemTypes = new Map()
    try {
      // `id parent major:minor root mountpoint options... - type source superoptions`
      for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const fields = line.split(' ')
        const [major, minor] = (fields[2] ?? '').split(':').map(Number)
        const type = fields[fields.indexOf('-') + 1]
        if (type !== undefined) filesystemTypes.set(makedev(major, minor), type)
      }
    } catch {
      // No /proc: every filesystem sorts, as fts assumes when it cannot tell.
    }
  }
  return !UNSORTED_FILESYSTEMS.has(filesystemTypes.get(dev) ?? '')
}

/** glibc's makedev: the st_dev of a device number. */
function makedev(major: number, minor: number): number {
  return (minor & 0xff) + (major & 0xfff) * 0x100 + (minor & ~0xff) * 0x1000 + (major & ~0xfff) * 0x1_0000_0000
}

/** What du prints for a directory: its own size, its files', and (without -S) all below. */
function printed(sums: Sums, separateDirs: boolean): number {
  return sums.own + sums.files + (separateDirs ? 0 : sums.below)
}

/** An operand with two or more trailing slashes keeps one (as fts_open trims it). */
function trimSlashes(path: string): string {
  return path.length > 2 && path.endsWith('//') ? path.replace(/\/+$/, '/') : path
}

/** `dir/name`, without doubling a slash after the operand ('/', 'dir/'). */
function joinName(dir: Buffer, name: Buffer): Buffer {
  return dir[dir.length - 1] === 0x2f ? Buffer.concat([dir, name]) : Buffer.concat([dir, Buffer.from('/'), name])
}

/** An operand's stats: its lstat, or with -H and -L its target's. */
async function operandStats(path: string, follow: DuArgs['follow'], signal: AbortSignal): Promise<Stats> {
  if (follow === 'P') return lstat(path, { signal })
  return stat(path, { signal })
}

/**
 * What follows "cannot access 'x'": `: reason`, or nothing for a dangling link followed
 * (GNU's fts reports one without an error number).
 */
async function accessFailure(path: string | Buffer, err: unknown, followed: boolean): Promise<string> {
  if (followed && (err as { code?: string }).code === 'ENOENT' && (await lstat(path).then(() => true, () => false))) return ''
  return `: ${describeError(err)}`
}

export const du: Command<DuArgs> = {
  name: 'du',
  summary: 'summarize the disk usage of trees, as GNU du',
  help: `Usage: io-aio du [OPTION]... [FILE]...
Summarize the device usage of the set of FILEs, recursively for directories
(default: .), reading each tree in parallel on eio's thread pool.

  -0, --null            end each output line with NUL, not newline
  -a, --all             write counts for all files, not just directories
      --apparent-size   print apparent sizes rather than device usage
  -B, --block-size=SIZE  scale sizes by SIZE before printing them; e.g.,
                           '-BM' prints sizes in units of 1,048,576 bytes
  -b, --bytes           equivalent to '--apparent-size --block-size=1'
  -c, --total           produce a grand total
  -D, --dereference-args  dereference only symlinks that are listed on the
                          command line (also -H)
  -d, --max-depth=N     print the total for a directory (or file, with --all)
                          only if it is N or fewer levels below the command
                          line argument;  --max-depth=0 is the same as
                          --summarize
  -h, --human-readable  print sizes in human readable format (e.g., 1K 234M 2G)
      --si              like -h, but use powers of 1000 not 1024
  -k                    like --block-size=1K
  -L, --dereference     dereference all symbolic links
  -l, --count-links     count sizes many times if hard linked
  -m                    like --block-size=1M
  -P, --no-dereference  don't follow any symbolic links (this is the default)
  -S, --separate-dirs   for directories do not include size of subdirectories
  -s, --summarize       display only a total for each argument
  -x, --one-file-system  skip directories on different file systems
      --exclude=PATTERN  exclude files that match PATTERN
      --help            display this help and exit
      --version         output version information and exit

Output and messages are GNU du's, lines in its order (a directory after what is
in it), a hard link counted once. Lines come once a FILE's tree was read. On a
terminal a progress line counts what was read; Ctrl-C stops and exits with
status 130.
`,
  parse,
  showsProgress: () => true,
  async run(ctx, args) {
    if (args.warning !== undefined) ctx.report.say(args.warning)
    const tally = new Tally()
    const run = new Du(ctx, args, tally)
    try {
      for (const operand of args.operands) {
        if (ctx.signal.aborted) break
        await run.operand(operand)
        ctx.report.clearProgress()
      }
    } catch (err) {
      if (!isAbort(err)) throw err
    }
    if (ctx.interrupt.status !== undefined) return ctx.report.interrupted('read', tally.total)
    if (args.total) run.print(run.grandTotal, 'total')
  },
}
