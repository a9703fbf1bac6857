import type { JsonValue } from '../contract/json';

/** Looks up `type.name.attribute` (a reference into the state); undefined when it is not known. */
export type Lookup = (type: string, name: string, attribute: string) => JsonValue | undefined;

const TRAVERSAL = /^((?:data\.)?aws_[a-z0-9_]+)\.([\w-]+)\.([a-z0-9_]+)/;
const WHOLE = /^\$\{jsonencode\(([\s\S]*)\)\}$/;

class Unsupported extends Error {}

/**
 * Evaluates `${jsonencode(<literal>)}` as cdktf writes it (Fn.jsonencode of a literal: objects with
 * quoted keys and `=`, lists, strings with `${type.name.attr}` interpolations, numbers, bools, bare
 * references to resource attributes), taking references from the state. Returns undefined for
 * anything else (another function, an unknown reference): the consistency plans then compute it.
 * The text is what Terraform's jsonencode gives: object keys sorted, `<`, `>` and `&` escaped.
 */
export function evaluateJsonencode(text: string, lookup: Lookup): string | undefined {
  return evaluate(WHOLE, text, lookup, terraformJson);
}

const BASE64 = /^\$\{base64encode\(([\s\S]*)\)\}$/;

/** Evaluates `${base64encode("<template>")}` (a launch template's user data) the same way. */
export function evaluateBase64encode(text: string, lookup: Lookup): string | undefined {
  return evaluate(BASE64, text, lookup, (v) => {
    if (typeof v !== 'string') throw new Unsupported();
    return Buffer.from(v, 'utf8').toString('base64');
  });
}

function evaluate(call: RegExp, text: string, lookup: Lookup, encode: (value: JsonValue) => string): string | undefined {
  const whole = call.exec(text);
  if (!whole) return undefined;
  try {
    const parser = new Parser(whole[1], lookup);
    const value = parser.value();
    parser.end();
    return encode(value);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

function terraformJson(value: JsonValue): string {
  const sorted = (v: JsonValue): JsonValue => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted(v[k])]),
      );
    }
    return v;
  };
  // Go's encoder, which Terraform's jsonencode uses, escapes these for HTML.
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly lookup: Lookup,
  ) {}

  end(): void {
    this.skip();
    if (this.i !== this.s.length) throw new Unsupported();
  }

  value(): JsonValue {
    this.skip();
    const c = this.s[this.i];
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    if (c === '"') return this.string();
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (number) {
      this.i += number[0].length;
      return Number(number[0]);
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.s.startsWith(word, this.i) && !/[\w.]/.test(this.s[this.i + word.length] ?? '')) {
        this.i += word.length;
        return v;
      }
    }
    return this.reference();
  }

  private reference(): JsonValue {
    const ref = TRAVERSAL.exec(this.s.slice(this.i));
    if (!ref) throw new Unsupported();
    this.i += ref[0].length;
    if (/^[\w.([]/.test(this.s[this.i] ?? '')) throw new Unsupported(); // a longer traversal or a call
    const v = this.lookup(ref[1], ref[2], ref[3]);
    if (v === undefined) throw new Unsupported();
    return v;
  }

  private list(): JsonValue[] {
    const out: JsonValue[] = [];
    this.i += 1;
    for (;;) {
      this.skip();
      if (this.s[this.i] === ']') return (this.i++, out);
      out.push(this.value());
      this.skip();
      if (this.s[this.i] === ',') this.i += 1;
      else if (this.s[this.i] !== ']') throw new Unsupported();
    }
  }

  private object(): JsonValue {
    const out: Record<string, JsonValue> = {};
    this.i += 1;
    for (;;) {
      this.skip();
      if (this.s[this.i] === '}') return (this.i++, out);
      if (this.s[this.i] !== '"') throw new Unsupported();
      const key = this.string();
      this.skip();
      if (this.s[this.i] !== '=' && this.s[this.i] !== ':') throw new Unsupported();
      this.i += 1;
      out[key] = this.value();
      this.skip();
      if (this.s[this.i] === ',') this.i += 1;
      else if (this.s[this.i] !== '}') throw new Unsupported();
    }
  }

  /** A quoted template: escapes, and interpolations that are plain references. */
  private string(): string {
    let out = '';
    this.i += 1;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new Unsupported();
      if (c === '"') return (this.i++, out);
      if (c === '\\') {
        const e = this.s[this.i + 1];
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
        if (!(e in simple)) throw new Unsupported();
        out += simple[e];
        this.i += 2;
      } else if (this.s.startsWith('$${', this.i) || this.s.startsWith('%%{', this.i)) {
        out += this.s.slice(this.i + 1, this.i + 3);
        this.i += 3;
      } else if (this.s.startsWith('${', this.i) || this.s.startsWith('%{', this.i)) {
        if (c === '%') throw new Unsupported();
        this.i += 2;
        const v = this.reference();
        if (this.s[this.i] !== '}') throw new Unsupported();
        this.i += 1;
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Unsupported();
        out += String(v);
      } else {
        out += c;
        this.i += 1;
      }
    }
  }

  private skip(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i += 1;
  }
}
