// Sizes printed as GNU du prints them (gnulib's human_readable, rounding up): a count of
// blocks (`-k`: 1024 bytes, `-m`, `-b`: bytes), or with `-h` the shortest of 512, 1.5K,
// 12K, 1.0M..., one decimal below 10, never rounded down.

const POWER_LETTERS = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']
const BASE = 1024

export interface SizeFormat {
  /** Bytes per unit printed (1024 by default); ignored with `human`. */
  blockSize?: number
  /** Autoscale with a K/M/G... suffix, powers of 1024 (`du -h`). */
  human?: boolean
}

/** `bytes` as GNU du prints it in `format`. */
export function formatSize(bytes: number, format: SizeFormat = {}): string {
  if (!format.human) {
    const block = format.blockSize ?? 1024
    return String(Math.ceil(bytes / block))
  }
  // The value as amt + tenths/10 + a rest: `rest` is 0 (none), 1 (below half a tenth),
  // 2 (exactly half) or 3 (above half), as human_readable tracks it.
  let amt = bytes
  let tenths = 0
  let rest = 0
  let exponent = 0
  while (amt >= BASE && exponent < POWER_LETTERS.length - 1) {
    const r10 = (amt % BASE) * 10 + tenths
    const r2 = (r10 % BASE) * 2 + (rest >> 1)
    amt = Math.floor(amt / BASE)
    tenths = Math.floor(r10 / BASE)
    rest = r2 < BASE ? (r2 + rest !== 0 ? 1 : 0) : BASE < r2 + rest ? 3 : 2
    exponent++
  }
  let fraction = ''
  if (exponent > 0 && amt < 10) {
    if (rest > 0) {
      tenths++
      rest = 0
      if (tenths === 10) {
        amt++
        tenths = 0
      }
    }
    if (amt < 10) {
      fraction = `.${tenths}`
      tenths = 0
    }
  }
  if (tenths + rest > 0) {
    amt++
    if (amt === BASE && exponent < POWER_LETTERS.length - 1) {
      exponent++
      amt = 1
      fraction = '.0'
    }
  }
  return `${amt}${fraction}${POWER_LETTERS[exponent]}`
}
