/**
 * Splits a command-line string into arguments the way a POSIX shell would tokenise it, without
 * running a shell: quotes and backslashes are honoured; nothing is expanded. Shell operators
 * (pipes, redirections, `;`, `&`, command substitution) are refused rather than passed on
 * literally, because a chaostoolkit file that relied on them would silently do something else.
 */
export class ShellWordsError extends Error {}

const OPERATORS = new Set(['|', '&', ';', '<', '>', '`', '(', ')']);

export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (ch === '\\') {
      if (i + 1 >= line.length) throw new ShellWordsError('ends with a lone backslash');
      if (line.charAt(i + 1) !== '\n') word += line.charAt(i + 1);
      inWord = true;
      i += 2;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError('has an unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i += 1;
      let closed = false;
      while (i < line.length) {
        const c = line.charAt(i);
        if (c === '"') {
          closed = true;
          i += 1;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line.charAt(i + 1))) {
          if (line.charAt(i + 1) !== '\n') word += line.charAt(i + 1);
          i += 2;
        } else {
          word += c;
          i += 1;
        }
      }
      if (!closed) throw new ShellWordsError('has an unterminated double quote');
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else if (OPERATORS.has(ch) || (ch === '$' && line.charAt(i + 1) === '(')) {
      throw new ShellWordsError(
        `uses shell syntax "${ch}" but processes run without a shell; write path: sh with arguments ["-c", "..."] to use one`,
      );
    } else {
      word += ch;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}
