// What a command says on stderr: error messages in GNU's format (`io-aio cp: cannot stat
// 'x': No such file or directory`), the exit status they imply, and the progress line,
// shown only when stderr is a terminal and cleared before anything else is written.

import { binding } from '../native.js'

/** An error from eio (or Node): a system error has a negative `errno` and a `code`. */
export interface SystemError extends Error {
  code?: string
  errno?: number
  syscall?: string
  path?: string
  dest?: string
}

/** The C library's text for an error (`No such file or directory`), as GNU tools print it. */
export function describeError(err: unknown): string {
  const e = err as SystemError
  if (typeof e?.errno !== 'number' || e.errno >= 0) return e instanceof Error ? e.message : String(err)
  // The binding gives strerror's text with its first letter lowered, as Node's messages have it.
  const text = binding.strerror(-e.errno)
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Whether `err` is the AbortError of an interrupted request. */
export function isAbort(err: unknown): boolean {
  return (err as Error)?.name === 'AbortError'
}

/** Progress counts, as eio's `onProgress` reports them. */
export interface Counts {
  entries: number
  bytes: number
}

/** What a command did, summed over its operands, for the progress line and an interruption. */
export class Tally {
  #done: Counts = { entries: 0, bytes: 0 }
  #current: Counts = { entries: 0, bytes: 0 }

  /** The counts of the operation under way (eio's onProgress, or its result). */
  update(counts: Counts): void {
    this.#current = counts
  }

  /** The operation under way ended (done, failed or interrupted): its counts are kept. */
  finish(): void {
    this.#done = this.total
    this.#current = { entries: 0, bytes: 0 }
  }

  /** The operation under way was undone (a move stopped midway): its counts are dropped. */
  discard(): void {
    this.#current = { entries: 0, bytes: 0 }
  }

  get total(): Counts {
    return { entries: this.#done.entries + this.#current.entries, bytes: this.#done.bytes + this.#current.bytes }
  }
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** `1,234 entries, 5.6 MiB`. */
function describeCounts(counts: Counts): string {
  const entries = counts.entries === 1 ? '1 entry' : `${counts.entries.toLocaleString('en-US')} entries`
  let size = `${counts.bytes} B`
  for (let i = 0, n = counts.bytes / 1024; n >= 1 && i < UNITS.length; i++, n /= 1024) size = `${n.toFixed(n < 10 ? 1 : 0)} ${UNITS[i]}`
  return `${entries}, ${size}`
}

export class Report {
  /** 0, or 1 once an error was reported (GNU tools' "some file failed"). */
  status = 0
  /** The last progress drawn, undefined when the line is clear. */
  #line: string | undefined
  /** Show progress at all: stderr is a terminal and the command asked for it. */
  readonly #progress: boolean

  constructor(
    /** `io-aio du`: what every message starts with. */
    readonly program: string,
    progress: boolean,
    readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.#progress = progress && stderr.isTTY === true
  }

  /** Prints `program: message` and makes the exit status 1. */
  error(message: string): void {
    this.status = 1
    this.say(message)
  }

  /** `program: what: strerror`, exit status 1. */
  fail(what: string, err: unknown): void {
    this.error(`${what}: ${describeError(err)}`)
  }

  /** Prints `program: message` without changing the exit status. */
  say(message: string): void {
    this.clearProgress()
    this.stderr.write(`${this.program}: ${message}\n`)
  }

  /** Redraws the progress line (a no-op unless stderr is a terminal). */
  progress(counts: Counts, verb: string): void {
    if (!this.#progress) return
    const line = `${this.program}: ${verb} ${describeCounts(counts)}`
    this.stderr.write(`\r${line}\x1b[K`)
    this.#line = line
  }

  /** After Ctrl-C: what was done before the command stopped, where it is known. */
  interrupted(verb?: string, counts?: Counts): void {
    this.say(counts === undefined || verb === undefined ? 'interrupted' : `interrupted: ${verb} ${describeCounts(counts)} before stopping`)
  }

  /** Erases the progress line, if one is shown. */
  clearProgress(): void {
    if (this.#line === undefined) return
    this.stderr.write('\r\x1b[K')
    this.#line = undefined
  }
}
