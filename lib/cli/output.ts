// Standard output for commands that print many lines (find, du, -v): lines are gathered
// and written in chunks, flushed when a chunk fills or the event loop goes idle (so that a
// listing appears as the tree is read), with back-pressure. A closed pipe (`| head`)
// stops the command quietly, as SIGPIPE stops a GNU tool; another write error stops it too.

const CHUNK = 64 * 1024
/** The exit status of a process killed by SIGPIPE, as a shell reports it. */
export const BROKEN_PIPE_STATUS = 141

export class Output {
  #parts: (string | Buffer)[] = []
  #size = 0
  #scheduled: NodeJS.Immediate | undefined
  #drained: Promise<void> | undefined
  #broken = false

  constructor(
    /** Called once if writing fails (EPIPE: the reader went away). */
    onBroken: (err: NodeJS.ErrnoException) => void,
    readonly stream: NodeJS.WritableStream = process.stdout,
  ) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (this.#broken) return
      this.#broken = true
      this.#parts = []
      onBroken(err)
    })
  }

  /** Queues `data` for writing. */
  write(data: string | Buffer): void {
    if (this.#broken) return
    this.#parts.push(data)
    this.#size += data.length
    if (this.#size >= CHUNK) this.#flush()
    else this.#scheduled ??= setImmediate(() => this.#flush())
  }

  /** Resolves once the stream takes more (await it in long loops). */
  ready(): Promise<void> | undefined {
    return this.#drained
  }

  /** Writes what is queued and waits until the stream took it. */
  async close(): Promise<void> {
    this.#flush()
    await this.#drained
  }

  #flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    if (this.#parts.length === 0 || this.#broken) return
    const chunk = Buffer.concat(this.#parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
    this.#parts = []
    this.#size = 0
    if (!this.stream.write(chunk) && this.#drained === undefined) {
      this.#drained = new Promise((resolve) => {
        const done = () => {
          this.#drained = undefined
          this.stream.off('error', done)
          resolve()
        }
        this.stream.once('drain', done)
        this.stream.once('error', done)
      })
    }
  }
}
