// How GNU tools quote file names in their messages (gnulib's quotearg), so that ours read
// the same: coreutils (du, cp, mv, rm) use the shell-escape style, which a shell can paste
// back ('a b', "it's", 'x'$'\n''y'); find uses the locale style (‘a b’ in a UTF-8
// locale, 'a b' in the C locale, with C escapes inside). Which bytes are printable
// depends on the locale as it does for GNU: in a UTF-8 locale valid UTF-8 shows as is, in
// the C locale every byte above 0x7f is escaped in octal.

/** Whether the locale's character set is UTF-8 (LC_ALL, then LC_CTYPE, then LANG). */
export function utf8Locale(env: NodeJS.ProcessEnv = process.env): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || 'C'
  return /utf-?8/i.test(locale)
}

const C_ESCAPES: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' }
/** Characters that are quoted fine by '...' and "..." alike (quotearg's c_and_shell_quote_compat). */
const PLAIN = /[%+,\-./0-9:A-Z\]_a-z]/
const NOT_PRINTABLE = /[\p{Cc}\p{Cn}\p{Cs}]/u

/** One character of a name: its bytes, and whether the locale can print it. */
interface Char {
  bytes: Buffer
  printable: boolean
}

/** The length of the valid UTF-8 sequence at `name[i]`, or 0 (invalid or cut short). */
function utf8Length(name: Buffer, i: number): number {
  const b = name[i]
  const len = b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0
  if (len === 0 || i + len > name.length) return 0
  const second = name[i + 1]
  // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
  const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf]
  if (second < lo || second > hi) return 0
  for (let k = 2; k < len; k++) if ((name[i + k] & 0xc0) !== 0x80) return 0
  return len
}

/** The characters of `name` as the locale reads them (invalid UTF-8: one unprintable byte each). */
function* chars(name: Buffer, utf8: boolean): Generator<Char> {
  for (let i = 0; i < name.length; ) {
    const b = name[i]
    const len = utf8 && b >= 0x80 ? utf8Length(name, i) : 1
    if (len > 1) {
      const bytes = name.subarray(i, i + len)
      yield { bytes, printable: !NOT_PRINTABLE.test(bytes.toString()) }
      i += len
    } else {
      yield { bytes: name.subarray(i, i + 1), printable: b >= 0x20 && b < 0x7f }
      i++
    }
  }
}

function octal(b: number): string {
  return `\\${b.toString(8).padStart(3, '0')}`
}

/**
 * A file name as coreutils shows it in a message (quotearg's shell-escape-always style):
 * in single quotes; a name with a single quote and nothing else a shell treats specially in
 * double quotes; control and unprintable characters as `$'\n'` escapes.
 */
export function quote(name: string | Buffer, utf8 = utf8Locale()): string {
  const bytes = typeof name === 'string' ? Buffer.from(name) : name
  let out = "'"
  let inEscape = false // inside a $'...' part
  let singleQuote = false
  let allPlain = true // every character is safe in double quotes too
  const escape = (text: string) => {
    if (!inEscape) out += "'$'"
    inEscape = true
    out += text
  }
  const plain = (text: string) => {
    if (inEscape) out += "''"
    inEscape = false
    out += text
  }
  let i = 0
  for (const c of chars(bytes, utf8)) {
    const b = c.bytes[0]
    const ch = String.fromCharCode(b)
    let safe = false
    if (c.bytes.length === 1 && b in C_ESCAPES) {
      escape(`\\${C_ESCAPES[b]}`)
    } else if (ch === "'") {
      singleQuote = true
      safe = true
      out += "'\\''"
      inEscape = false
    } else if (c.bytes.length === 1 && b < 0x80 && c.printable) {
      // '#' and '~' are special only first, '{' and '}' only alone, a space never inside quotes.
      safe = PLAIN.test(ch) || ch === ' ' || ch === '@' || ((ch === '#' || ch === '~') && i === 0) || ((ch === '{' || ch === '}') && bytes.length === 1)
      plain(ch)
    } else if (c.printable) {
      safe = true
      plain(c.bytes.toString())
    } else {
      for (const byte of c.bytes) escape(octal(byte))
    }
    if (!safe) allPlain = false
    i += c.bytes.length
  }
  if (singleQuote && allPlain) return `"${bytes.toString()}"`
  return `${out}'`
}

/**
 * A file name as findutils shows it in a message (quotearg's locale style): between
 * ‘ and ’ in a UTF-8 locale, ' and ' otherwise; backslash, the closing quote and
 * unprintable characters escaped as in C.
 */
export function quoteLocale(name: string | Buffer, utf8 = utf8Locale()): string {
  const bytes = typeof name === 'string' ? Buffer.from(name) : name
  const [open, close] = utf8 ? ['\u2018', '\u2019'] : ["'", "'"]
  let out = open
  for (const c of chars(bytes, utf8)) {
    const b = c.bytes[0]
    const text = c.bytes.toString()
    if (c.bytes.length === 1 && b in C_ESCAPES) out += `\\${C_ESCAPES[b]}`
    else if (text === '\\' || text === close) out += `\\${text}`
    else if (c.printable) out += text
    else for (const byte of c.bytes) out += octal(byte)
  }
  return out + close
}
