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
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.type === 'word' && t.text.toLowerCase() === w;
  const expect = (text: string) => {
    if (peek()?.text !== text)
      throw new JqlError(`Error in the JQL Query: Expecting '${text}' at position ${pos}.`);
    pos++;
  };

  const value = (): JqlValue => {
    const t = peek();
    if (!t || (t.type !== 'word' && t.type !== 'string'))
      throw new JqlError('Error in the JQL Query: Expecting either a value, list or function.');
    pos++;
    if (t.type === 'word' && peek()?.text === '(') {
      pos++;
      while (peek() && peek()?.text !== ')') pos++;
      expect(')');
      return { text: t.text, quoted: false, fn: true };
    }
    return { text: t.text, quoted: t.type === 'string' };
  };

  const clause = (): JqlExpr => {
    const f = peek();
    if (!f || (f.type !== 'word' && f.type !== 'string'))
      throw new JqlError('Error in the JQL Query: Expecting a field name.');
    pos++;
    let op: string;
    const t = peek();
    if (t?.type === 'op') {
      op = t.text;
      pos++;
    } else if (isWord(t, 'in')) {
      op = 'in';
      pos++;
    } else if (isWord(t, 'not') && isWord(tokens[pos + 1], 'in')) {
      op = 'not in';
      pos += 2;
    } else if (isWord(t, 'is')) {
      pos++;
      op = 'is';
      if (isWord(peek(), 'not')) {
        pos++;
        op = 'is not';
      }
    } else
      throw new JqlError(
        `Error in the JQL Query: Expecting operator but got '${t?.text ?? 'end of query'}'.`,
      );
    if (peek()?.text === '(') {
      pos++;
      const values = [value()];
      while (peek()?.text === ',') {
        pos++;
        values.push(value());
      }
      expect(')');
      return { kind: 'clause', field: f.text, op, values, list: true };
    }
    return { kind: 'clause', field: f.text, op, values: [value()], list: false };
  };

  const unary = (): JqlExpr => {
    if (isWord(peek(), 'not')) {
      pos++;
      return { kind: 'not', expr: unary() };
    }
    if (peek()?.text === '(') {
      pos++;
      const inner = or();
      expect(')');
      return inner;
    }
    return clause();
  };
  const and = (): JqlExpr => {
    const items = [unary()];
    while (isWord(peek(), 'and')) {
      pos++;
      items.push(unary());
    }
    return items.length === 1 ? (items[0] as JqlExpr) : { kind: 'and', items };
  };
  const or = (): JqlExpr => {
    const items = [and()];
    while (isWord(peek(), 'or')) {
      pos++;
      items.push(and());
    }
    return items.length === 1 ? (items[0] as JqlExpr) : { kind: 'or', items };
  };

  const where = peek() && !isWord(peek(), 'order') ? or() : undefined;
  const orderBy: JqlSort[] = [];
  if (isWord(peek(), 'order')) {
    pos++;
    if (!isWord(peek(), 'by')) throw new JqlError("Error in the JQL Query: Expecting 'by' after 'order'.");
    pos++;
    do {
      if (peek()?.text === ',') pos++;
      const f = peek();
      if (!f || f.type === 'punct' || f.type === 'op')
        throw new JqlError('Error in the JQL Query: Expecting a field name in ORDER BY.');
      pos++;
      let desc = false;
      if (isWord(peek(), 'desc') || isWord(peek(), 'asc'))
        desc = (tokens[pos++] as Token).text.toLowerCase() === 'desc';
      orderBy.push({ field: f.text.toLowerCase(), desc });
    } while (peek()?.text === ',');
  }
  if (pos < tokens.length)
    throw new JqlError(`Error in the JQL Query: Unexpected '${peek()?.text}' at position ${pos}.`);
  return { where, orderBy };
}
