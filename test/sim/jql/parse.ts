/**
 * A parser for the JQL subset a sync and dynamic-webhook filters use: clauses joined by AND / OR /
 * NOT with parentheses, operators = != > >= < <= ~ !~ IN, NOT IN, IS, IS NOT, lists, functions,
 * and ORDER BY. Errors carry Jira-like messages.
 */
export interface JqlValue {
  readonly text: string;
  readonly quoted: boolean;
  readonly fn?: boolean;
}

export type JqlExpr =
  | { kind: 'and' | 'or'; items: JqlExpr[] }
  | { kind: 'not'; expr: JqlExpr }
  | { kind: 'clause'; field: string; op: string; values: JqlValue[]; list: boolean };

export interface JqlSort {
  readonly field: string;
  readonly desc: boolean;
}

export interface JqlQuery {
  readonly where: JqlExpr | undefined;
  readonly orderBy: JqlSort[];
}

export class JqlError extends Error {}

interface Token {
  type: 'word' | 'string' | 'op' | 'punct';
  text: string;
}

const OPS = ['!=', '>=', '<=', '!~', '=', '>', '<', '~'];

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < input.length && input[j] !== c) {
        if (input[j] === '\\' && j + 1 < input.length) j++;
        text += input[j];
        j++;
      }
      if (j >= input.length)
        throw new JqlError(`Error in the JQL Query: The quoted string '${text}' has not been completed.`);
      tokens.push({ type: 'string', text });
      i = j + 1;
    } else if ('(),'.includes(c)) {
      tokens.push({ type: 'punct', text: c });
      i++;
    } else {
      const op = OPS.find((o) => input.startsWith(o, i));
      if (op) {
        tokens.push({ type: 'op', text: op });
        i += op.length;
        continue;
      }
      const match = /^[^\s(),=!<>~"']+/.exec(input.slice(i));
      if (!match)
        throw new JqlError(`Error in the JQL Query: The character '${c}' is a reserved JQL character.`);
      tokens.push({ type: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

export function parseJql(input: string): JqlQuery {
  return new Parser(tokenize(input)).query();
}

/** Recursive descent over the tokens: OR of ANDs of (NOT | parentheses | clause), then ORDER BY. */
class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  query(): JqlQuery {
    const where = this.peek() && !this.isWord('order') ? this.or() : undefined;
    const orderBy = this.isWord('order') ? this.orderBy() : [];
    if (this.pos < this.tokens.length)
      this.fail(`Unexpected '${this.peek()?.text}' at position ${this.pos}.`);
    return { where, orderBy };
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.type === 'word' && t.text.toLowerCase() === word;
  }

  private fail(message: string): never {
    throw new JqlError(`Error in the JQL Query: ${message}`);
  }

  private expect(text: string): void {
    if (this.peek()?.text !== text) this.fail(`Expecting '${text}' at position ${this.pos}.`);
    this.pos++;
  }

  private or(): JqlExpr {
    const items = [this.and()];
    while (this.isWord('or')) {
      this.pos++;
      items.push(this.and());
    }
    return items.length === 1 ? (items[0] as JqlExpr) : { kind: 'or', items };
  }

  private and(): JqlExpr {
    const items = [this.unary()];
    while (this.isWord('and')) {
      this.pos++;
      items.push(this.unary());
    }
    return items.length === 1 ? (items[0] as JqlExpr) : { kind: 'and', items };
  }

  private unary(): JqlExpr {
    if (this.isWord('not')) {
      this.pos++;
      return { kind: 'not', expr: this.unary() };
    }
    if (this.peek()?.text === '(') {
      this.pos++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.clause();
  }

  private clause(): JqlExpr {
    const f = this.peek();
    if (!f || (f.type !== 'word' && f.type !== 'string')) this.fail('Expecting a field name.');
    this.pos++;
    const op = this.operator();
    if (this.peek()?.text !== '(')
      return { kind: 'clause', field: f.text, op, values: [this.value()], list: false };
    this.pos++;
    const values = [this.value()];
    while (this.peek()?.text === ',') {
      this.pos++;
      values.push(this.value());
    }
    this.expect(')');
    return { kind: 'clause', field: f.text, op, values, list: true };
  }

  private operator(): string {
    const t = this.peek();
    const take = (n: number, op: string) => {
      this.pos += n;
      return op;
    };
    if (t?.type === 'op') return take(1, t.text);
    if (this.isWord('in')) return take(1, 'in');
    if (this.isWord('not') && this.isWord('in', 1)) return take(2, 'not in');
    if (this.isWord('is')) return this.isWord('not', 1) ? take(2, 'is not') : take(1, 'is');
    return this.fail(`Expecting operator but got '${t?.text ?? 'end of query'}'.`);
  }

  private value(): JqlValue {
    const t = this.peek();
    if (!t || (t.type !== 'word' && t.type !== 'string'))
      this.fail('Expecting either a value, list or function.');
    this.pos++;
    if (t.type === 'word' && this.peek()?.text === '(') {
      while (this.peek() && this.peek()?.text !== ')') this.pos++;
      this.expect(')');
      return { text: t.text, quoted: false, fn: true };
    }
    return { text: t.text, quoted: t.type === 'string' };
  }

  private orderBy(): JqlSort[] {
    this.pos++;
    if (!this.isWord('by')) this.fail("Expecting 'by' after 'order'.");
    const sorts: JqlSort[] = [];
    do {
      this.pos++; // 'by' or ','
      const f = this.peek();
      if (!f || f.type === 'punct' || f.type === 'op') this.fail('Expecting a field name in ORDER BY.');
      this.pos++;
      let desc = false;
      if (this.isWord('desc') || this.isWord('asc'))
        desc = (this.tokens[this.pos++] as Token).text.toLowerCase() === 'desc';
      sorts.push({ field: f.text.toLowerCase(), desc });
    } while (this.peek()?.text === ',');
    return sorts;
  }
}
