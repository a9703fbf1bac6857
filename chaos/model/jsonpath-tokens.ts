/** The tokens of jsonpath2's grammar (chaostoolkit's JSONPath dialect); whitespace between them is skipped. */

/** Thrown while parsing a JSONPath, with the reason; callers turn it into a located error. */
export class JsonPathSyntaxError extends Error {}

export type Token =
  | { readonly kind: '$' | '@' | '..' | '.' | '*' | '[' | ']' | '(' | ')' | ',' | ':' | '?' | '{' | '}'; readonly text: string }
  | { readonly kind: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or' | 'not'; readonly text: string }
  | { readonly kind: 'true' | 'false' | 'null' | 'id'; readonly text: string }
  | { readonly kind: 'string'; readonly text: string; readonly value: string }
  | { readonly kind: 'number'; readonly text: string; readonly value: number };

const PUNCTUATION = ['..', '!=', '<=', '>=', '$', '@', '.', '*', '[', ']', '(', ')', ',', ':', '?', '{', '}', '=', '<', '>'] as const;
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);
const ID = /^[_A-Za-z][_A-Za-z0-9]*/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?(?:0|[1-9]\d*))?/;
// JSON's string: double quotes, JSON escapes, no control characters.
const STRING = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/;

function tokenAt(rest: string): Token {
  const string = STRING.exec(rest);
  if (string) return { kind: 'string', text: string[0], value: JSON.parse(string[0]) as string };
  const number = NUMBER.exec(rest);
  if (number) return { kind: 'number', text: number[0], value: Number(number[0]) };
  const id = ID.exec(rest);
  if (id) {
    const word = id[0];
    return KEYWORDS.has(word) ? { kind: word as 'and', text: word } : { kind: 'id', text: word };
  }
  const punctuation = PUNCTUATION.find((p) => rest.startsWith(p));
  if (punctuation !== undefined) return { kind: punctuation, text: punctuation };
  const hint = rest.startsWith("'") ? ' (names in brackets are double-quoted: ["name"])' : '';
  throw new JsonPathSyntaxError(`unexpected "${rest.slice(0, 12)}"${hint}`);
}

/** Splits a path into tokens, or throws `JsonPathSyntaxError`. */
export function tokenizeJsonPath(path: string): Token[] {
  const tokens: Token[] = [];
  let rest = path;
  for (;;) {
    rest = rest.replace(/^[ \t\n\r]+/, '');
    if (rest === '') return tokens;
    const token = tokenAt(rest);
    tokens.push(token);
    rest = rest.slice(token.text.length);
  }
}

/** A cursor over tokens, shared by the path and filter parsers. */
export class TokenCursor {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }
  next(): Token {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new JsonPathSyntaxError('unexpected end of the path');
    return token;
  }
  expect(kind: Token['kind']): Token {
    const token = this.next();
    if (token.kind !== kind) throw new JsonPathSyntaxError(`expected "${kind}" but found "${token.text}"`);
    return token;
  }
  is(kind: Token['kind']): boolean {
    return this.peek()?.kind === kind;
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
}
