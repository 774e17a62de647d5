// io-aio rm: GNU rm's -r, -f, -d and -v over eio's rmtree, which removes a tree in
// parallel on the pool and never follows a symlink out of it, even one swapped in while it
// runs. Like GNU rm it refuses '.', '..' and '/'; unlike it, it leaves a filesystem
// mounted below an operand in place (GNU's --one-file-system, reported the same way), and
// refuses 'link/' for a symlink to a directory where GNU empties the directory.

import { constants, lstat, readdirIter, rmdir, rmtree, stat, unlink, walk } from '../../index.js'
import type { Stats } from '../../index.js'
import { parseOptions, UsageError } from './args.js'
import type { Command, Context } from './command.js'
import { quote } from './quote.js'
import { describeError, isAbort, Tally } from './report.js'

export interface RmArgs {
  force: boolean
  recursive: boolean
  dir: boolean
  verbose: boolean
  operands: string[]
}

const OPTIONS = {
  force: { type: 'boolean', short: 'f' },
  'one-file-system': { type: 'boolean' },
  'preserve-root': { type: 'boolean' },
  recursive: { type: 'boolean', short: 'r' },
  R: { type: 'boolean', short: 'R' },
  dir: { type: 'boolean', short: 'd' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
} as const

/** Errors that `rm -f` takes as "there is nothing to remove" (GNU's nonexistent_file_errno). */
const NONEXISTENT = new Set(['ENOENT', 'ENOTDIR', 'EINVAL', 'EILSEQ'])

function parse(args: readonly string[]): RmArgs | 'help' | 'version' {
  const { values, operands } = parseOptions(args, OPTIONS)
  if (values.help) return 'help'
  if (values.version) return 'version'
  return {
    force: values.force === true,
    recursive: values.recursive === true || values.R === true,
    dir: values.dir === true,
    verbose: values.verbose === true,
    operands,
  }
}

/** Whether the last component of `path` is '.' or '..' (trailing slashes aside). */
function isDotOrDotDot(path: string): boolean {
  const last = path.replace(/\/+$/, '').split('/').at(-1)
  return last === '.' || last === '..'
}

/** The entries below `dir`, deepest first, for -v: what `rm -rv` names as it removes them. */
async function listTree(dir: string, signal: AbortSignal): Promise<{ path: Buffer; isDir: boolean }[]> {
  const entries: { path: Buffer; isDir: boolean }[] = []
  const walker = walk(dir, { encoding: 'buffer', signal, onError: () => undefined })
  for await (const e of walker) entries.push({ path: e.path, isDir: e.type === constants.DT_DIR })
  // Sorted, then reversed: everything below a directory comes before it.
  return entries.sort((a, b) => Buffer.compare(b.path, a.path))
}

/** Whether `path` is gone (an entry that -v may say it removed). */
async function gone(path: Buffer | string): Promise<boolean> {
  try {
    await lstat(path)
    return false
  } catch (err) {
    return (err as { code?: string }).code === 'ENOENT'
  }
}

function removedLine(path: Buffer | string, isDir: boolean): string {
  return `removed ${isDir ? 'directory ' : ''}${quote(path)}\n`
}

/** Removes the tree `path` (a directory), reporting as rm -r does. */
async function removeTree(ctx: Context, args: RmArgs, path: string, tally: Tally): Promise<void> {
  const { report, signal } = ctx
  const listed = args.verbose ? await listTree(path, signal) : []
  let failure: unknown
  try {
    const counts = await rmtree(path, {
      signal,
      onProgress: (c) => {
        tally.update(c)
        report.progress(tally.total, 'removed')
      },
    })
    tally.update(counts)
  } catch (err) {
    failure = err
  }
  tally.finish()
  if (args.verbose) {
    // After a failure or an interruption, only what is really gone is named.
    for (const e of listed) if (failure === undefined || (await gone(e.path))) ctx.out.write(removedLine(e.path, e.isDir))
    if (failure === undefined || (await gone(path))) ctx.out.write(removedLine(path, true))
  }
  if (failure !== undefined) throw failure
}

/** Whether the directory `path` has no entries (read no further than its first). */
async function isEmpty(path: string, signal: AbortSignal): Promise<boolean> {
  for await (const _ of readdirIter(path, { signal })) return false
  return true
}

/** Removes one operand, checking what GNU rm checks in GNU rm's order. */
async function removeOne(ctx: Context, args: RmArgs, path: string, root: Stats, tally: Tally): Promise<void> {
  const { report, signal } = ctx
  try {
    const st = await lstat(path, { signal })
    if (!st.isDirectory()) {
      await unlink(path, { signal })
      tally.update({ entries: 1, bytes: st.isFile() ? st.size : 0 })
      tally.finish()
      if (args.verbose) ctx.out.write(removedLine(path, false))
      return
    }
    if (!args.recursive && !args.dir) return report.error(`cannot remove ${quote(path)}: Is a directory`)
    const dots = isDotOrDotDot(path)
    if (!args.recursive && dots && !(await isEmpty(path, signal))) return report.error(`cannot remove ${quote(path)}: Directory not empty`)
    if (dots) return report.error(`refusing to remove '.' or '..' directory: skipping ${quote(path)}`)
    if (!args.recursive) {
      await rmdir(path, { signal })
      tally.update({ entries: 1, bytes: 0 })
      tally.finish()
      if (args.verbose) ctx.out.write(removedLine(path, true))
      return
    }
    if (st.dev === root.dev && st.ino === root.ino) {
      return report.error(`it is dangerous to operate recursively on ${quote(path)}${path === '/' ? '' : " (same as '/')"}`)
    }
    await removeTree(ctx, args, path, tally)
  } catch (err) {
    if (isAbort(err)) throw err
    const e = err as { code?: string; path?: string }
    if (args.force && NONEXISTENT.has(e.code ?? '') && (e.path === undefined || e.path === path)) return
    if (e.code === 'EBUSY' && e.path !== undefined && e.path !== path) {
      return report.error(`skipping ${quote(e.path)}, since it's on a different device`)
    }
    report.error(`cannot remove ${quote(e.path ?? path)}: ${describeError(err)}`)
  }
}

export const rm: Command<RmArgs> = {
  name: 'rm',
  summary: 'remove files and trees, as GNU rm',
  help: `Usage: io-aio rm [OPTION]... [FILE]...
Remove (unlink) the FILE(s); with -r, directories and everything in them, in
parallel on eio's thread pool, never following a symbolic link out of the tree.

  -f, --force           ignore nonexistent files and arguments, never prompt
  -r, -R, --recursive   remove directories and their contents recursively
  -d, --dir             remove empty directories
  -v, --verbose         explain what is being done
      --one-file-system  leave filesystems mounted below FILE in place
                          (always: a mount point is reported and kept)
      --preserve-root   refuse to remove '/' (always)
      --help            display this help and exit
      --version         output version information and exit

'.' and '..' are refused, as is '/'. A symbolic link is removed, never what it
points to ('link/' naming a link to a directory is refused). On a terminal a
progress line counts what was removed; Ctrl-C stops, reports how much was
removed, and exits with status 130.
`,
  parse,
  showsProgress: (args) => !args.verbose || process.stdout.isTTY !== true,
  async run(ctx, args) {
    if (args.operands.length === 0) {
      if (args.force) return
      throw new UsageError('missing operand')
    }
    const root = await stat('/')
    const tally = new Tally()
    try {
      for (const path of args.operands) {
        if (ctx.signal.aborted) break
        await removeOne(ctx, args, path, root, tally)
      }
    } catch (err) {
      if (!isAbort(err)) throw err
    }
    if (ctx.interrupt.status !== undefined) ctx.report.interrupted('removed', tally.total)
  },
}
