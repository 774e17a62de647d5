// `constants`: the platform's values of every constant the IO::AIO manual names (0 where
// the platform lacks one), read from the C headers by the binding.

import * as binding from '../binding.js'

export const constants: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null), binding.constants()),
)
