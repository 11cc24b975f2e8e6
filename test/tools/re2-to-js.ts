/**
 * Translates a Go RE2 pattern (the dialect of gitleaks' rule data) into a JavaScript RegExp source that Node 20
 * understands: inline flag groups `(?i)`, `(?i:…)`, `(?-i:…)` and `(?s:…)` are expanded (Node 20 has no regexp
 * modifiers), POSIX classes become ranges, `\z`/`\A` become `$`/`^`, named groups become non-capturing (their
 * names repeat across alternatives, which JavaScript refuses) and a `]` first in a class is escaped.
 */
export interface JsPattern {
  readonly source: string;
  readonly flags: string;
}

interface Mode {
  ci: boolean;
  dotAll: boolean;
}

const posix: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: '\\s',
  xdigit: '0-9a-fA-F',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
};

const isLetter = (c: string): boolean => /^[a-zA-Z]$/.test(c);
const otherCase = (c: string): string => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());

function applyFlags(mode: Mode, spec: string): Mode {
  const next = { ...mode };
  let on = true;
  for (const c of spec) {
    if (c === '-') on = false;
    else if (c === 'i') next.ci = on;
    else if (c === 's') next.dotAll = on;
    else if (c !== 'm' && c !== 'U') throw new Error(`unsupported RE2 flag ${c}`);
  }
  return next;
}

/** Reads a character class starting at `start` (the `[`); returns the JS class and the index after `]`. */
function readClass(re: string, start: number, ci: boolean): [string, number] {
  let i = start + 1;
  let out = '[';
  if (re[i] === '^') {
    out += '^';
    i++;
  }
  if (re[i] === ']') {
    out += '\\]';
    i++;
  }
  const extra: string[] = [];
  while (i < re.length && re[i] !== ']') {
    const c = re[i] ?? '';
    if (c === '[' && re[i + 1] === ':') {
      const end = re.indexOf(':]', i + 2);
      const name = re.slice(i + 2, end);
      const range = posix[name];
      if (range === undefined) throw new Error(`unsupported POSIX class ${name}`);
      out += range;
      i = end + 2;
      continue;
    }
    if (c === '\\') {
      out += re.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      out += '\\[';
      i++;
      continue;
    }
    const to = re[i + 2];
    if (re[i + 1] === '-' && to !== undefined && to !== ']') {
      out += `${c}-${to}`;
      if (ci && isLetter(c) && isLetter(to)) extra.push(`${otherCase(c)}-${otherCase(to)}`);
      i += 3;
      continue;
    }
    out += c;
    if (ci && isLetter(c)) extra.push(otherCase(c));
    i++;
  }
  return [`${out}${extra.join('')}]`, i + 1];
}

export function re2ToJs(re: string): JsPattern {
  // A pattern case-insensitive throughout keeps the short form: JavaScript's own `i` flag.
  const wholeCi = re.startsWith('(?i)') && !re.includes('-i');
  const body = wholeCi ? re.slice(4) : re;
  const stack: Mode[] = [{ ci: false, dotAll: false }];
  let out = '';
  let i = 0;
  while (i < body.length) {
    const mode = stack[stack.length - 1] ?? { ci: false, dotAll: false };
    const c = body[i] ?? '';
    if (c === '\\') {
      const n = body[i + 1] ?? '';
      if (n === 'z') out += '$';
      else if (n === 'A') out += '^';
      else if (n === 'x' && body[i + 2] === '{') {
        const end = body.indexOf('}', i);
        out += `\\u${body.slice(i + 3, end).padStart(4, '0')}`;
        i = end + 1;
        continue;
      } else if (mode.ci && isLetter(n) && !/[dDwWsSbBnrtfvux]/.test(n)) out += `[${n}${otherCase(n)}]`;
      else out += `\\${n}`;
      i += 2;
      continue;
    }
    if (c === '[') {
      const [cls, next] = readClass(body, i, mode.ci);
      out += cls;
      i = next;
      continue;
    }
    if (c === '(') {
      if (body[i + 1] !== '?') {
        stack.push({ ...mode });
        out += '(';
        i++;
        continue;
      }
      const flagGroup = /^\(\?([imsU-]+)([:)])/.exec(body.slice(i));
      if (flagGroup) {
        const next = applyFlags(mode, flagGroup[1] ?? '');
        if (flagGroup[2] === ')') stack[stack.length - 1] = next;
        else {
          stack.push(next);
          out += '(?:';
        }
        i += flagGroup[0].length;
        continue;
      }
      const named = /^\(\?P?<[A-Za-z_]\w*>/.exec(body.slice(i));
      if (named) {
        stack.push({ ...mode });
        out += '(?:';
        i += named[0].length;
        continue;
      }
      if (body[i + 2] === ':') {
        stack.push({ ...mode });
        out += '(?:';
        i += 3;
        continue;
      }
      throw new Error(`unsupported group at ${i}: ${body.slice(i, i + 8)}`);
    }
    if (c === ')') {
      stack.pop();
      out += ')';
      i++;
      continue;
    }
    if (c === '.' && mode.dotAll) out += '[\\s\\S]';
    else if (mode.ci && isLetter(c)) out += `[${c}${otherCase(c)}]`;
    else out += c;
    i++;
  }
  return { source: out, flags: wholeCi ? 'i' : '' };
}
