// Ctrl-C, cleanly: SIGINT (and SIGTERM, SIGHUP) abort the command's AbortSignal, which eio's
// requests take, so that queued work is dropped, running work stops between steps and
// removes what it left half done (a partly copied file); the command then reports what
// it did and exits with 128 + the signal's number (130 for SIGINT), as a shell reports a
// GNU tool killed by it. A second signal exits at once.

import { constants } from 'node:os'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export class Interrupt {
  readonly #controller = new AbortController()
  #status: number | undefined
  readonly #onSignal = (name: NodeJS.Signals) => {
    const status = 128 + constants.signals[name]
    if (this.#status !== undefined) process.exit(this.#status)
    this.stop(status)
  }

  /** Aborted when the command must stop. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** The exit status the stop calls for (130 after Ctrl-C), undefined if none came. */
  get status(): number | undefined {
    return this.#status
  }

  /** Starts listening for the signals. */
  listen(): this {
    for (const name of SIGNALS) process.on(name, this.#onSignal)
    return this
  }

  /** Stops the command: aborts the signal; the command exits with `status`. */
  stop(status: number): void {
    this.#status ??= status
    this.#controller.abort()
  }

  /** Stops listening (the signals get their default action back). */
  dispose(): void {
    for (const name of SIGNALS) process.off(name, this.#onSignal)
  }
}
