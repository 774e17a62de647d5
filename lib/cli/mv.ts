// io-aio mv: GNU mv's -n, -f, -v, -t/-T over eio's move, which renames, or across
// filesystems copies the whole tree (modes, owners, times to the nanosecond, links, hard
// links) and removes the source only once the copy is complete; a failure or Ctrl-C
// removes what it made of the destination and leaves the source whole.

import { constants, lstat, move, stat, walk } from '../../index.js'
import type { Stats } from '../../index.js'
import { parseOptions } from './args.js'
import type { Command, Context } from './command.js'
import { describeCopyError } from './copy-error.js'
import { quote } from './quote.js'
import { describeError, isAbort } from './report.js'
import type { SystemError, Tally } from './report.js'
import { forEachPair, isInside, parentOf, statOrUndefined, TARGET_OPTIONS, targetOptions } from './target.js'
import type { Pair, TargetOptions } from './target.js'

export interface MvArgs extends TargetOptions {
  noClobber: boolean
  verbose: boolean
  operands: string[]
}

const OPTIONS = {
  force: { type: 'boolean', short: 'f' },
  'no-clobber': { type: 'boolean', short: 'n' },
  ...TARGET_OPTIONS,
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const

function parse(args: readonly string[]): MvArgs | 'help' | 'version' {
  const { values, order, operands } = parseOptions(args, OPTIONS)
  if (values.help) return 'help'
  if (values.version) return 'version'
  // -f and -n: the last one given wins.
  const last = order.filter((name) => name === 'force' || name === 'no-clobber').at(-1)
  return {
    noClobber: last === 'no-clobber',
    verbose: values.verbose === true,
    ...targetOptions(values),
    operands,
  }
}

/** An entry of a tree that moves across filesystems, for -v. */
interface Listed {
  /** Its path below the tree's root (empty for the root). */
  rel: Buffer
  isDir: boolean
  /** dev:ino of a file with several links, else undefined. */
  inode: string | undefined
}

const SLASH = Buffer.from('/')

/** `root` joined with `rel`, as Buffers (names that are not UTF-8 stay intact). */
function under(root: string, rel: Buffer): Buffer {
  const r = Buffer.from(root)
  if (rel.length === 0) return r
  return r[r.length - 1] === 0x2f ? Buffer.concat([r, rel]) : Buffer.concat([r, SLASH, rel])
}

/**
 * The tree `root` (`st`: its lstat), root first, then everything below it by path
 * (parents before children), with the identity of files that have several links.
 */
async function listTree(root: string, st: Stats, signal: AbortSignal): Promise<Listed[]> {
  const inode = (s: Stats) => (s.isFile() && s.nlink > 1 ? `${s.dev}:${s.ino}` : undefined)
  const entries: Listed[] = []
  if (st.isDirectory()) {
    const prefix = under(root, Buffer.alloc(0)).length + (root.endsWith('/') ? 0 : 1)
    for await (const e of walk(root, { signal, encoding: 'buffer' })) {
      const isFile = e.type === constants.DT_REG
      entries.push({ rel: e.path.subarray(prefix), isDir: e.type === constants.DT_DIR, inode: isFile ? inode(await lstat(e.path, { signal })) : undefined })
    }
    entries.sort((a, b) => Buffer.compare(a.rel, b.rel))
  }
  return [{ rel: Buffer.alloc(0), isDir: st.isDirectory(), inode: inode(st) }, ...entries]
}

/**
 * mv -v across filesystems names what it copied, then what it removed, as GNU mv does
 * (eio's move is all or nothing: once it succeeded, all of it happened). A file with
 * several links in the tree is named as copied once, as GNU mv names it.
 */
function verboseCopyLines(pair: Pair, entries: Listed[]): string {
  const { src, dst } = pair
  const copied = new Set<string>()
  let text = ''
  for (const e of entries) {
    if (e.isDir) text += `created directory ${quote(under(dst, e.rel))}\n`
    else if (e.inode === undefined || !copied.has(e.inode)) text += `copied ${quote(under(src, e.rel))} -> ${quote(under(dst, e.rel))}\n`
    if (e.inode !== undefined) copied.add(e.inode)
  }
  for (const e of [...entries].reverse()) text += `removed ${e.isDir ? 'directory ' : ''}${quote(under(src, e.rel))}\n`
  return text
}

async function moveOne(ctx: Context, args: MvArgs, pair: Pair, tally: Tally): Promise<void> {
  const { report, signal } = ctx
  const { src, dst } = pair
  let st: Stats
  try {
    st = await lstat(src, { signal })
  } catch (err) {
    if (isAbort(err)) throw err
    return report.error(`cannot stat ${quote(src)}: ${describeError(err)}`)
  }
  const existing = await statOrUndefined(dst, false)
  if (existing !== undefined) {
    if (existing.dev === st.dev && existing.ino === st.ino) return report.error(`${quote(src)} and ${quote(dst)} are the same file`)
    if (args.noClobber) return
    if (st.isDirectory() && !existing.isDirectory()) return report.error(`cannot overwrite non-directory ${quote(dst)} with directory ${quote(src)}`)
    if (!st.isDirectory() && existing.isDirectory()) return report.error(`cannot overwrite directory ${quote(dst)} with non-directory`)
  }
  if (st.isDirectory()) {
    if (await isInside(dst, src)) return report.error(`cannot move ${quote(src)} to a subdirectory of itself, ${quote(dst)}`)
  }
  // Across filesystems -v names every entry: list them before they move.
  const target = args.verbose ? await stat(parentOf(dst)).catch(() => undefined) : undefined
  const across = target !== undefined && target.dev !== st.dev
  const entries = across ? await listTree(src, st, signal) : []
  try {
    const counts = await move(src, dst, {
      signal,
      overwrite: !args.noClobber,
      onProgress: (c) => {
        tally.update(c)
        report.progress(tally.total, 'moved')
      },
    })
    tally.update(counts)
    tally.finish()
    if (args.verbose) ctx.out.write(across ? verboseCopyLines(pair, entries) : `renamed ${quote(src)} -> ${quote(dst)}\n`)
  } catch (err) {
    // A move that fails or stops is undone: what it had copied does not count.
    tally.discard()
    if (isAbort(err)) throw err
    const e = err as SystemError
    if (args.noClobber && e.code === 'EEXIST' && (e.dest === undefined || e.dest === dst)) return
    const whole = (e.path === undefined || e.path === src) && (e.dest === undefined || e.dest === dst)
    report.error(whole ? `cannot move ${quote(src)} to ${quote(dst)}: ${describeError(err)}` : describeCopyError(e, pair))
  }
}

export const mv: Command<MvArgs> = {
  name: 'mv',
  summary: 'move (rename) files and trees, as GNU mv',
  help: `Usage: io-aio mv [OPTION]... [-T] SOURCE DEST
  or:  io-aio mv [OPTION]... SOURCE... DIRECTORY
  or:  io-aio mv [OPTION]... -t DIRECTORY SOURCE...
Rename SOURCE to DEST, or move SOURCE(s) to DIRECTORY. Across filesystems the
tree is copied in parallel on eio's thread pool (modes, owners, times, links and
hard links kept), and SOURCE is removed only once all of it was copied.

  -f, --force                  do not prompt before overwriting (the default)
  -n, --no-clobber             do not overwrite an existing file
  -t, --target-directory=DIRECTORY  move all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --help                   display this help and exit
      --version                output version information and exit

If the copy across filesystems fails or Ctrl-C stops it, what was made of DEST
is removed and SOURCE is left whole; Ctrl-C exits with status 130.
`,
  parse,
  showsProgress: (args) => !args.verbose || process.stdout.isTTY !== true,
  run: (ctx, args) => forEachPair(ctx, args, 'moved', (pair, tally) => moveOne(ctx, args, pair, tally)),
}
