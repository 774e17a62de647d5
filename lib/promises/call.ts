// The one call into eio that each function of io-aio/promises makes after validating its
// arguments, and what Node does with a failure: the error's stack is captured again when
// the call settles, so that it shows the caller's async frames (`at async readFile`,
// `at async yourFunction`) as Node's `handleErrorFromBinding` makes it do.

/** `request` as it settles; a failure gets its stack recaptured (no cost on success). */
export function settle<T>(request: Promise<T>): Promise<T> {
  return request.then(undefined, recapture)
}

function recapture(err: unknown): never {
  if (err instanceof Error) Error.captureStackTrace(err, recapture)
  throw err
}
