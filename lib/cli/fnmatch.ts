// Shell patterns as find's -name matches them (fnmatch(3) without flags; -iname adds
// FNM_CASEFOLD): `*` and `?` match any characters, a leading dot included; `[...]` a set
// (`!` or `^` negates; ranges, `[:alpha:]` classes); a backslash quotes the next character.
// A pattern becomes one RegExp.

const CLASSES: Record<string, string> = {
  alnum: '\\p{L}\\p{N}',
  alpha: '\\p{L}',
  blank: ' \\t',
  cntrl: '\\p{Cc}',
  digit: '0-9',
  graph: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}',
  lower: '\\p{Ll}',
  print: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}\\p{Zs}',
  punct: '\\p{P}\\p{S}',
  space: '\\s',
  upper: '\\p{Lu}',
  xdigit: '0-9A-Fa-f',
}

/** `c` as a literal inside a RegExp (also inside a character class). */
function literal(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c
}

/**
 * The bracket expression starting at `pattern[start]` (the `[`) as a RegExp class and the
 * index after it, or undefined if it is not closed (then `[` is an ordinary character).
 */
function bracket(pattern: string[], start: number): [string, number] | undefined {
  let i = start + 1
  let negate = false
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true
    i++
  }
  let body = ''
  for (let first = true; i < pattern.length; first = false) {
    const c = pattern[i]
    if (c === ']' && !first) return [`[${negate ? '^' : ''}${body}]`, i + 1]
    if (c === '[' && pattern[i + 1] === ':') {
      const end = pattern.indexOf(':', i + 2)
      const name = end > 0 && pattern[end + 1] === ']' ? pattern.slice(i + 2, end).join('') : undefined
      if (name !== undefined && Object.hasOwn(CLASSES, name)) {
        body += CLASSES[name]
        i = end + 2
        continue
      }
    }
    let from = c
    i++
    if (from === '\\' && i < pattern.length) from = pattern[i++]
    if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') {
      let to = pattern[i + 1]
      i += 2
      if (to === '\\' && i < pattern.length) to = pattern[i++]
      body += `${literal(from)}-${literal(to)}`
    } else {
      body += literal(from)
    }
  }
  return undefined
}

/** The RegExp that matches what `pattern` matches (`caseFold`: -iname). */
export function compilePattern(pattern: string, caseFold = false): RegExp {
  const chars = [...pattern]
  let source = ''
  for (let i = 0; i < chars.length; ) {
    const c = chars[i]
    if (c === '*') {
      source += '.*'
      i++
    } else if (c === '?') {
      source += '.'
      i++
    } else if (c === '[') {
      const set = bracket(chars, i)
      if (set === undefined) {
        source += '\\['
        i++
      } else {
        ;[source, i] = [source + set[0], set[1]]
      }
    } else if (c === '\\' && i + 1 < chars.length) {
      source += literal(chars[i + 1])
      i += 2
    } else {
      source += literal(c)
      i++
    }
  }
  return new RegExp(`^${source}$`, `su${caseFold ? 'i' : ''}`)
}
