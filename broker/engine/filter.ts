// Header filters of topic subscriptions, e.g. `headers.type == 'invoice' && !has(headers.test)`.
//
//   expr    := or
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | primary
//   primary := '(' expr ')' | 'has' '(' header ')' | header ('==' | '!=') string
//            | header 'in' '[' string (',' string)* ']'
//   header  := 'headers' '.' identifier | 'headers' '[' string ']'
//   string  := '...' | "..."  (backslash escapes the next character)
//
// A missing header is unequal to every string (so `!=` matches it). Parsed once when the topic
// spec is applied; evaluated per message against its headers.

import { invalidArgument, type WharfError } from '../../common/errors.ts';

export type Filter =
  | { readonly op: 'eq' | 'ne'; readonly header: string; readonly value: string }
  | { readonly op: 'in'; readonly header: string; readonly values: readonly string[] }
  | { readonly op: 'has'; readonly header: string }
  | { readonly op: 'and' | 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly op: 'not'; readonly operand: Filter };

/** Trace context headers differ per message; topics do not keep them, so filters cannot test them. */
export const UNFILTERED_HEADERS: ReadonlySet<string> = new Set(['traceparent', 'tracestate', 'baggage']);

const MAX_FILTER_CHARS = 4096;
const MAX_DEPTH = 64;

type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly text: string; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: string; readonly pos: number }
  | { readonly kind: 'end'; readonly text: ''; readonly pos: number };

const PUNCT = ['==', '!=', '&&', '||', '!', '(', ')', '[', ']', ',', '.'] as const;

function fail(pos: number, message: string): WharfError {
  return invalidArgument(`filter: ${message} at position ${pos + 1}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), pos: start });
      continue;
    }
    if (c === "'" || c === '"') {
      const start = i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw fail(start, 'unterminated string');
        const d = text[i] as string;
        if (d === '\\') {
          if (i + 1 >= text.length) throw fail(i, 'unterminated string');
          value += text[i + 1];
          i += 2;
          continue;
        }
        i++;
        if (d === c) break;
        value += d;
      }
      tokens.push({ kind: 'string', text: value, pos: start });
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (punct === undefined) throw fail(i, `unexpected character '${c}'`);
    tokens.push({ kind: 'punct', text: punct, pos: i });
    i += punct.length;
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;
  #depth = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  #peek(): Token {
    return this.#tokens[this.#at] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#at++;
    return token;
  }

  #expect(text: string, what = `'${text}'`): Token {
    const token = this.#next();
    if (token.kind !== 'punct' || token.text !== text)
      throw fail(token.pos, `expected ${what}, found ${describe(token)}`);
    return token;
  }

  parse(): Filter {
    const filter = this.#or();
    const rest = this.#peek();
    if (rest.kind !== 'end') throw fail(rest.pos, `unexpected ${describe(rest)}`);
    return filter;
  }

  #or(): Filter {
    if (++this.#depth > MAX_DEPTH) throw fail(this.#peek().pos, `nested deeper than ${MAX_DEPTH}`);
    let left = this.#and();
    while (this.#peek().kind === 'punct' && this.#peek().text === '||') {
      this.#next();
      left = { op: 'or', left, right: this.#and() };
    }
    this.#depth--;
    return left;
  }

  #and(): Filter {
    let left = this.#unary();
    while (this.#peek().kind === 'punct' && this.#peek().text === '&&') {
      this.#next();
      left = { op: 'and', left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Filter {
    const token = this.#peek();
    if (token.kind === 'punct' && token.text === '!') {
      this.#next();
      if (++this.#depth > MAX_DEPTH) throw fail(token.pos, `nested deeper than ${MAX_DEPTH}`);
      const operand = this.#unary();
      this.#depth--;
      return { op: 'not', operand };
    }
    return this.#primary();
  }

  #primary(): Filter {
    const token = this.#peek();
    if (token.kind === 'punct' && token.text === '(') {
      this.#next();
      const inner = this.#or();
      this.#expect(')');
      return inner;
    }
    if (token.kind === 'ident' && token.text === 'has') {
      this.#next();
      this.#expect('(', "'(' after has");
      const header = this.#header();
      this.#expect(')');
      return { op: 'has', header };
    }
    const header = this.#header();
    const op = this.#next();
    if (op.kind === 'punct' && (op.text === '==' || op.text === '!=')) {
      return { op: op.text === '==' ? 'eq' : 'ne', header, value: this.#string() };
    }
    if (op.kind === 'ident' && op.text === 'in') {
      this.#expect('[', "'[' after in");
      const values = [this.#string()];
      while (this.#peek().kind === 'punct' && this.#peek().text === ',') {
        this.#next();
        values.push(this.#string());
      }
      this.#expect(']', "',' or ']'");
      return { op: 'in', header, values };
    }
    throw fail(op.pos, `expected '==', '!=' or 'in', found ${describe(op)}`);
  }

  #header(): string {
    const token = this.#next();
    if (token.kind !== 'ident' || token.text !== 'headers') {
      throw fail(
        token.pos,
        `expected headers.<name>, headers['<name>'], has(...), '!' or '(', found ${describe(token)}`,
      );
    }
    const sep = this.#next();
    let name: Token;
    if (sep.kind === 'punct' && sep.text === '.') {
      name = this.#next();
      if (name.kind !== 'ident')
        throw fail(name.pos, `expected a header name after 'headers.', found ${describe(name)}`);
    } else if (sep.kind === 'punct' && sep.text === '[') {
      name = this.#next();
      if (name.kind !== 'string') throw fail(name.pos, `expected a quoted header name, found ${describe(name)}`);
      this.#expect(']');
    } else {
      throw fail(sep.pos, `expected '.' or '[' after headers, found ${describe(sep)}`);
    }
    if (name.text === '') throw fail(name.pos, 'empty header name');
    if (UNFILTERED_HEADERS.has(name.text))
      throw fail(name.pos, `header '${name.text}' (trace context) cannot be filtered on`);
    return name.text;
  }

  #string(): string {
    const token = this.#next();
    if (token.kind !== 'string') throw fail(token.pos, `expected a quoted string, found ${describe(token)}`);
    return token.text;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end';
    case 'string':
      return `string '${token.text}'`;
    default:
      return `'${token.text}'`;
  }
}

/** Parses a filter; undefined for an empty (match-all) filter. Throws INVALID_ARGUMENT naming the position. */
export function parseFilter(text: string): Filter | undefined {
  if (text.length > MAX_FILTER_CHARS) throw invalidArgument(`filter: longer than ${MAX_FILTER_CHARS} characters`);
  if (text.trim() === '') return undefined;
  return new Parser(tokenize(text)).parse();
}

export function matches(filter: Filter | undefined, headers: Readonly<Record<string, string>> | undefined): boolean {
  if (filter === undefined) return true;
  switch (filter.op) {
    case 'eq':
      return headerOf(headers, filter.header) === filter.value;
    case 'ne':
      return headerOf(headers, filter.header) !== filter.value;
    case 'in': {
      const value = headerOf(headers, filter.header);
      return value !== undefined && filter.values.includes(value);
    }
    case 'has':
      return headerOf(headers, filter.header) !== undefined;
    case 'and':
      return matches(filter.left, headers) && matches(filter.right, headers);
    case 'or':
      return matches(filter.left, headers) || matches(filter.right, headers);
    case 'not':
      return !matches(filter.operand, headers);
  }
}

function headerOf(headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (headers === undefined || !Object.hasOwn(headers, name)) return undefined;
  return headers[name];
}

/** The headers a topic keeps for a message: all but trace context; undefined when none are left. */
export function keptHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> | undefined {
  let out: Record<string, string> | undefined;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name) || UNFILTERED_HEADERS.has(name)) continue;
    out ??= Object.create(null) as Record<string, string>;
    out[name] = headers[name] as string;
  }
  return out;
}
