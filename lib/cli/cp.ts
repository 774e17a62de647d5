// io-aio cp: GNU cp's -r/-R, -a, -n, -f, -v, -L/-P/-d, -t/-T over eio's copy, which copies
// a tree in parallel on the pool: contents with holes, symlinks as links, special files,
// modes, owners, times to the nanosecond and hard links, every copied file complete or
// not there at all. Unlike GNU cp, metadata is always kept (-r copies as -a does) and an
// existing destination file is replaced (a new file renamed over it), not rewritten.

import { copy, lstat, stat } from '../../index.js'
import type { Stats } from '../../index.js'
import { parseOptions } from './args.js'
import type { Command, Context } from './command.js'
import { describeCopyError } from './copy-error.js'
import { quote } from './quote.js'
import { describeError, isAbort } from './report.js'
import type { SystemError, Tally } from './report.js'
import { forEachPair, isInside, statOrUndefined, TARGET_OPTIONS, targetOptions } from './target.js'
import type { Pair, TargetOptions } from './target.js'

export interface CpArgs extends TargetOptions {
  recursive: boolean
  /** 'all' (-L), 'none' (-P, -d, -a), or 'default': followed without -r, not with it. */
  dereference: 'all' | 'none' | 'default'
  noClobber: boolean
  verbose: boolean
  operands: string[]
}

const OPTIONS = {
  archive: { type: 'boolean', short: 'a' },
  dereference: { type: 'boolean', short: 'L' },
  force: { type: 'boolean', short: 'f' },
  'no-clobber': { type: 'boolean', short: 'n' },
  'no-dereference': { type: 'boolean', short: 'P' },
  preserve: { type: 'boolean', short: 'p' },
  recursive: { type: 'boolean', short: 'R' },
  r: { type: 'boolean', short: 'r' },
  d: { type: 'boolean', short: 'd' },
  ...TARGET_OPTIONS,
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const

function parse(args: readonly string[]): CpArgs | 'help' | 'version' {
  const { values, order, operands } = parseOptions(args, OPTIONS)
  if (values.help) return 'help'
  if (values.version) return 'version'
  // -L and -P/-d/-a: the last one given wins.
  let dereference: CpArgs['dereference'] = 'default'
  for (const name of order) {
    if (name === 'dereference') dereference = 'all'
    if (name === 'no-dereference' || name === 'd' || name === 'archive') dereference = 'none'
  }
  return {
    recursive: values.recursive === true || values.r === true || values.archive === true,
    dereference,
    noClobber: values['no-clobber'] === true,
    verbose: values.verbose === true,
    ...targetOptions(values),
    operands,
  }
}

const same = (a: Stats | undefined, b: Stats | undefined) => a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino

/**
 * Whether copying `src` (`st`: as it is copied, a link or what it points to) onto a `dst`
 * that exists (`entry`: its lstat, `existing`: what it points to) would copy a file onto
 * itself, as GNU cp decides it: a link copied as a link may replace another link to the
 * same file, but not the file itself.
 */
async function sameFile(st: Stats, src: string, entry: Stats, existing: Stats | undefined): Promise<boolean> {
  if (same(st, entry)) return true
  if (!st.isSymbolicLink()) return same(st, existing)
  return !entry.isSymbolicLink() && same(await statOrUndefined(src, true), entry)
}

/** Copies one source, after GNU cp's checks; reports what fails. */
async function copyOne(ctx: Context, args: CpArgs, pair: Pair, tally: Tally): Promise<void> {
  const { report, signal } = ctx
  const { src, dst } = pair
  const followSource = args.dereference === 'all' || (args.dereference === 'default' && !args.recursive)
  let st: Stats
  try {
    st = await (followSource ? stat(src, { signal }) : lstat(src, { signal }))
  } catch (err) {
    if (isAbort(err)) throw err
    return report.error(`cannot stat ${quote(src)}: ${describeError(err)}`)
  }
  if (st.isDirectory() && !args.recursive) return report.error(`-r not specified; omitting directory ${quote(src)}`)
  const entry = await statOrUndefined(dst, false)
  if (entry !== undefined) {
    // What is there: a symlink's target (undefined: the link dangles).
    const existing = entry.isSymbolicLink() ? await statOrUndefined(dst, true) : entry
    if (await sameFile(st, src, entry, existing)) return report.error(`${quote(src)} and ${quote(dst)} are the same file`)
    if (st.isDirectory() && !existing?.isDirectory()) return report.error(`cannot overwrite non-directory ${quote(dst)} with directory ${quote(src)}`)
    if (!st.isDirectory() && existing?.isDirectory()) return report.error(`cannot overwrite directory ${quote(dst)} with non-directory`)
    if (existing === undefined && !args.noClobber) return report.error(`not writing through dangling symlink ${quote(dst)}`)
  }
  if (st.isDirectory()) {
    if (await isInside(dst, src)) return report.error(`cannot copy a directory, ${quote(src)}, into itself, ${quote(dst)}`)
  }
  const verbose = args.verbose ? verboseFilter(ctx, args) : undefined
  try {
    const counts = await copy(src, dst, {
      signal,
      // A symlink given without -r is copied as a link with -P/-d (copy follows it otherwise).
      recursive: args.recursive || (!followSource && st.isSymbolicLink()),
      dereference: args.dereference === 'all',
      overwrite: !args.noClobber,
      filter: verbose,
      onProgress: (c) => {
        tally.update(c)
        report.progress(tally.total, 'copied')
      },
    })
    tally.update(counts)
  } catch (err) {
    if (isAbort(err)) throw err
    report.error(describeCopyError(err as SystemError, pair))
  } finally {
    tally.finish()
  }
}

/**
 * cp -v's lines, from copy's filter, which is asked about every entry before it is copied
 * (GNU cp names an entry before it copies it too). As GNU cp, it names neither a directory
 * that exists already (its contents are merged) nor, with -n, a file left alone; and it
 * names as removed a destination that GNU cp -a would remove to recreate it (a link, a
 * special file, a file with several links), where io-aio replaces it too.
 */
function verboseFilter(ctx: Context, args: CpArgs): (src: string, dst: string) => Promise<boolean> {
  return async (src, dst) => {
    const there = await statOrUndefined(dst, false)
    if (there?.isDirectory() || (there !== undefined && args.noClobber)) return true
    if (there !== undefined) {
      const from = await statOrUndefined(src, false)
      if (from !== undefined && (!from.isFile() || from.nlink > 1)) ctx.out.write(`removed ${quote(dst)}\n`)
    }
    ctx.out.write(`${quote(src)} -> ${quote(dst)}\n`)
    return true
  }
}

export const cp: Command<CpArgs> = {
  name: 'cp',
  summary: 'copy files and trees, as GNU cp -a',
  help: `Usage: io-aio cp [OPTION]... [-T] SOURCE DEST
  or:  io-aio cp [OPTION]... SOURCE... DIRECTORY
  or:  io-aio cp [OPTION]... -t DIRECTORY SOURCE...
Copy SOURCE to DEST, or SOURCEs into DIRECTORY; with -r, directories and
everything in them, in parallel on eio's thread pool.

  -a, --archive                same as -dR (metadata is always kept)
  -d                           copy symbolic links as links (same as -P)
  -f, --force                  replace existing destination files (always:
                                 a new file is renamed over the old one)
  -L, --dereference            always follow symbolic links in SOURCE
  -n, --no-clobber             do not overwrite an existing file
  -P, --no-dereference         never follow symbolic links in SOURCE
  -p, --preserve               keep mode, ownership and timestamps (always)
  -R, -r, --recursive          copy directories recursively
  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done
      --help                   display this help and exit
      --version                output version information and exit

Modes, owners (where permitted), times to the nanosecond, holes, symbolic
links, special files and hard links inside a tree are kept, as by cp -a. A file
is copied whole or not at all: an error or Ctrl-C never leaves a partial file.
On a terminal a progress line counts what was copied; Ctrl-C stops, reports how
much was copied, and exits with status 130.
`,
  parse,
  showsProgress: (args) => !args.verbose || process.stdout.isTTY !== true,
  run: (ctx, args) => forEachPair(ctx, args, 'copied', (pair, tally) => copyOne(ctx, args, pair, tally)),
}
