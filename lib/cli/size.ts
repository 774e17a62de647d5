// Sizes printed as GNU du prints them (gnulib's human_readable, rounding up): a count of
// blocks (`-k`: 1024 bytes, `-m`, `-b`: bytes, `-B 1M`), a count with the block's unit
// (`-BM`: 12M, `-BKB`: 13kB), or autoscaled (`-h`: 512, 1.5K, 12K, 1.0M...; `--si` in
// powers of 1000: 4.1k), one decimal below 10, never rounded down. Also the block size
// options' own syntax (gnulib's human_options): `-B 1K`, `-B KiB`, `-B human-readable`.

const POWER_LETTERS = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']
const EXPONENT_MAX = POWER_LETTERS.length - 1

export interface SizeFormat {
  /** Bytes per unit printed (1024 by default). */
  blockSize?: number
  /** Autoscale with a K/M/G... suffix (`du -h`, `--si`). */
  human?: boolean
  /** Print the unit's letter (`-BM`, `-h`); implied by `human`. */
  unit?: boolean
  /** Powers of 1000 instead of 1024 (`--si`, `-BKB`): 'k' for a thousand. */
  decimal?: boolean
  /** Follow the letter with 'B' ('iB' in powers of 1024): `-BKB`, `-BKiB`. */
  bytesSuffix?: boolean
}

/**
 * The value `amt + (tenths + rest) / 10` of a division, as human_readable tracks it:
 * `rest` is 0 (nothing left), 1 (less than half a tenth), 2 (half) or 3 (more).
 */
interface Scaled {
  amt: number
  tenths: number
  rest: number
}

function divide(n: number, divisor: number): Scaled {
  const r10 = (n % divisor) * 10
  const r2 = (r10 % divisor) * 2
  return { amt: Math.floor(n / divisor), tenths: Math.floor(r10 / divisor), rest: r2 < divisor ? (r2 > 0 ? 1 : 0) : divisor < r2 ? 3 : 2 }
}

/** `bytes` as GNU du prints it in `format`. */
export function formatSize(bytes: number, format: SizeFormat = {}): string {
  const base = format.decimal ? 1000 : 1024
  const block = format.blockSize ?? 1024
  let { amt, tenths, rest } = divide(bytes, block)
  let exponent = -1
  let fraction = ''
  if (format.human) {
    exponent = 0
    if (amt >= base) {
      do {
        const r10 = (amt % base) * 10 + tenths
        const r2 = (r10 % base) * 2 + (rest >> 1)
        amt = Math.floor(amt / base)
        tenths = Math.floor(r10 / base)
        rest = r2 < base ? (r2 + rest !== 0 ? 1 : 0) : base < r2 + rest ? 3 : 2
        exponent++
      } while (amt >= base && exponent < EXPONENT_MAX)
      if (amt < 10) {
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
          rest = 0
        }
      }
    }
  }
  if (tenths + rest > 0) {
    amt++
    if (format.human && amt === base && exponent < EXPONENT_MAX) {
      exponent++
      amt = 1
      fraction = '.0'
    }
  }
  return `${amt}${fraction}${format.human || format.unit ? unitSuffix(exponent, block, base, format) : ''}`
}

/** The unit after a number: the power's letter (from the block size unless autoscaled), then B or iB. */
function unitSuffix(exponent: number, block: number, base: number, format: SizeFormat): string {
  if (exponent < 0) {
    exponent = 0
    for (let power = 1; power < block; power *= base) if (++exponent === EXPONENT_MAX) break
  }
  let suffix = exponent === 0 ? '' : format.decimal && exponent === 1 ? 'k' : POWER_LETTERS[exponent]
  if (format.bytesSuffix) suffix += !format.decimal && exponent > 0 ? 'iB' : 'B'
  return suffix
}

/** Why a block size was refused, as du words it: `invalid -B argument '...'`. */
export class BlockSizeError extends Error {}

/** Multipliers of the block size letters (`K`: 1024; `KB`: 1000, `KiB`: 1024). */
const SUFFIX_POWERS: Record<string, number> = { k: 1, K: 1, m: 2, M: 2, g: 3, G: 3, t: 4, T: 4, p: 5, P: 5, e: 6, E: 6, Z: 7, Y: 8 }
/** What `-B` accepts instead of a size (or any unambiguous prefix of it). */
const NAMED_FORMATS: Record<string, SizeFormat> = {
  'human-readable': { human: true, blockSize: 1 },
  si: { human: true, decimal: true, blockSize: 1 },
}

/**
 * A block size as `-B`/`--block-size` and the BLOCK_SIZE variables give it: `1K`, `K`
 * (printed as a unit: 12K), `KB` (powers of 1000), `KiB`, `human-readable`, `si`;
 * `option` names the option in the messages. A leading `'` (digit grouping) is accepted
 * and has no effect: the C locale groups no digits.
 */
export function parseBlockSize(spec: string, option: string): SizeFormat {
  const arg = spec
  if (spec.startsWith("'")) spec = spec.slice(1)
  const named = Object.keys(NAMED_FORMATS).filter((name) => spec !== '' && name.startsWith(spec))
  if (named.length === 1) return { ...NAMED_FORMATS[named[0]] }
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?(.*)$/s.exec(spec)!
  const [, digits, suffix] = m
  if (digits === undefined && (suffix === '' || !Object.hasOwn(SUFFIX_POWERS, suffix[0]))) throw new BlockSizeError(`invalid ${option} argument '${arg}'`)
  let size = digits === undefined ? 1n : BigInt(digits.length > 1 && digits[0] === '0' && !/[xX]/.test(digits) ? `0o${digits.slice(1)}` : digits)
  const format: SizeFormat = {}
  if (suffix !== '') {
    const letter = suffix[0]
    const rest = suffix.slice(1)
    if (!Object.hasOwn(SUFFIX_POWERS, letter) || !['', 'B', 'iB'].includes(rest)) throw new BlockSizeError(`invalid suffix in ${option} argument '${arg}'`)
    size *= BigInt(rest === 'B' ? 1000 : 1024) ** BigInt(SUFFIX_POWERS[letter])
    if (digits === undefined) {
      // A unit without a number: sizes are printed with it (-BM: 12M), as du does.
      format.unit = true
      format.bytesSuffix = rest !== ''
      format.decimal = rest === 'B'
    }
  }
  if (size === 0n) throw new BlockSizeError(`invalid ${option} argument '${arg}'`)
  if (size > 0xffff_ffff_ffff_ffffn) throw new BlockSizeError(`${option} argument '${arg}' too large`)
  format.blockSize = Number(size)
  return format
}

/**
 * The block size du starts from: DU_BLOCK_SIZE, BLOCK_SIZE or BLOCKSIZE from the
 * environment (one that cannot be read is ignored), else 1024 (512 with POSIXLY_CORRECT).
 */
export function defaultBlockSize(env: NodeJS.ProcessEnv = process.env): SizeFormat {
  const spec = env.DU_BLOCK_SIZE ?? env.BLOCK_SIZE ?? env.BLOCKSIZE
  if (spec !== undefined) {
    try {
      return parseBlockSize(spec, '')
    } catch {
      // du ignores a variable it cannot read.
    }
  }
  return { blockSize: env.POSIXLY_CORRECT !== undefined ? 512 : 1024 }
}
