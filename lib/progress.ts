// Progress of tree operations (copy, move, rmtree). The native side counts entries and
// bytes in a TallyHandle as its tasks go; a timer here reads the counts at most every
// PROGRESS_INTERVAL_MS and hands them to `onProgress` on the JS thread, then once more
// when the request settles. No JavaScript call per entry, and nothing after settling.

import { binding } from './native.js'
import type { TallyHandle } from '../binding.js'
import { cancelRequest } from './engine.js'
import type { Opts } from './engine.js'

/**
 * What a tree operation has done: entries created, copied or removed, and their bytes.
 *
 * @group Results and errors
 */
export interface TreeCounts {
  /** Entries done (files, directories, links, special files; the root included). */
  entries: number
  /** Bytes of regular files' contents. */
  bytes: number
}

/**
 * Called with the counts so far, at most every ~100 ms, and once at the end.
 *
 * @group Options and arguments
 */
export type ProgressListener = (progress: TreeCounts) => void

/** How often the counts are read while a tree operation runs. */
export const PROGRESS_INTERVAL_MS = 100

/**
 * Runs `submit` (which makes the request, handing the binding the TallyHandle it gets)
 * with `onProgress` watching its counts: called when they changed, at most every
 * PROGRESS_INTERVAL_MS, and with the final counts just before the promise settles (on
 * failure too, with what was done), unless the last call had them already: the final
 * counts come once, last. If `onProgress` throws, the request is cancelled and rejects
 * with that error. The timer never keeps the process alive.
 */
export function withProgress<T extends TreeCounts>(
  onProgress: ProgressListener | undefined,
  opts: Opts,
  submit: (tally: TallyHandle | undefined) => Promise<T>,
): Promise<T> {
  // An already-aborted signal submits nothing (see `request`): nothing to watch.
  if (onProgress === undefined || opts.signal?.aborted) return submit(undefined)
  const tally = new binding.TallyHandle()
  const promise = submit(tally)
  let seen: number[] | undefined
  let failure: { error: unknown } | undefined
  const report = (entries: number, bytes: number) => {
    // Only counts that changed: the end repeats nothing the timer reported last.
    if (failure !== undefined || (seen !== undefined && entries === seen[0] && bytes === seen[1])) return
    seen = [entries, bytes]
    try {
      onProgress({ entries, bytes })
    } catch (error) {
      failure = { error }
      clearInterval(timer)
      cancelRequest(promise, error)
    }
  }
  const timer = setInterval(() => {
    const [entries, bytes] = tally.read()
    // Nothing done yet is not progress; the end reports even that.
    if (seen !== undefined || entries > 0 || bytes > 0) report(entries, bytes)
  }, PROGRESS_INTERVAL_MS)
  timer.unref()
  return promise.then(
    (result) => {
      clearInterval(timer)
      report(result.entries, result.bytes)
      if (failure !== undefined) throw failure.error
      return result
    },
    (err: unknown) => {
      clearInterval(timer)
      const [entries, bytes] = tally.read()
      report(entries, bytes)
      throw failure === undefined ? err : failure.error
    },
  )
}
