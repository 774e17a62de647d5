// What every subcommand is, and what it gets to run: its stop signal (Ctrl-C), its
// standard output and its stderr report.

import { constants } from '../constants.js'
import type { Stats } from '../stats.js'
import type { Interrupt } from './interrupt.js'
import type { Output } from './output.js'
import type { Report } from './report.js'

export interface Context {
  /** Aborts on Ctrl-C (or a broken pipe): pass it to every request. */
  readonly signal: AbortSignal
  readonly interrupt: Interrupt
  readonly out: Output
  readonly report: Report
}

export interface Command<Parsed> {
  readonly name: string
  /** One line for `io-aio --help`. */
  readonly summary: string
  /** What `io-aio <name> --help` prints. */
  readonly help: string
  /** Reads the command line; throws a UsageError. `help`/`version`: print that instead. */
  parse(args: readonly string[]): Parsed | 'help' | 'version'
  /** Whether a progress line helps: not while lines stream to the same terminal. */
  showsProgress(parsed: Parsed): boolean
  /** Does the work, reporting errors (and the exit status) through `ctx.report`. */
  run(ctx: Context, parsed: Parsed): Promise<void>
}

/** The DT_* type of a file from its `Stats`, as walk gives it for entries. */
export function typeOf(st: Stats): number {
  if (st.isFile()) return constants.DT_REG
  if (st.isDirectory()) return constants.DT_DIR
  if (st.isSymbolicLink()) return constants.DT_LNK
  if (st.isFIFO()) return constants.DT_FIFO
  if (st.isSocket()) return constants.DT_SOCK
  if (st.isCharacterDevice()) return constants.DT_CHR
  if (st.isBlockDevice()) return constants.DT_BLK
  return constants.DT_UNKNOWN
}
