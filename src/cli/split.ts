import { UsageError } from './errors.ts';

/**
 * Split a command line into words the way a POSIX shell would for plain words and quotes, without running a
 * shell: whitespace separates words; `'...'` is literal; inside `"..."` a backslash escapes `"`, `\`, `$` and
 * `` ` ``; outside quotes a backslash escapes the next character. No expansion, globbing, pipes or variables.
 * An unterminated quote or a trailing backslash is a {@link UsageError}.
 *
 * @example splitCommandLine(`node "my server.js" --name 'a b'`) // ['node', 'my server.js', '--name', 'a b']
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`unterminated ' quote in command line at position ${i}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
      if (!closed) throw new UsageError('unterminated " quote in command line');
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new UsageError('command line ends with a lone backslash');
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
