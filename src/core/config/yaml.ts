/**
 * The shared configuration as text and as data, both at once.
 *
 * `parseConfig` reads `model_config.yaml` (or a JSON stage config) with a YAML
 * library that keeps a document model (comments, key order, source ranges),
 * refusing hostile input before anything is expanded: too many bytes, several
 * documents, duplicate keys, tags other than the YAML 1.2 core ones, alias
 * expansion past a limit, nesting past a limit. The same limits are enforced
 * by the server on every commit it forwards.
 *
 * `applyValue` turns a change made in the form into the smallest edit of the
 * text: a changed scalar replaces only its own characters (quote style kept),
 * a removed key removes only its lines, a new key is inserted after its
 * siblings, so comments, order and formatting everywhere else are untouched.
 *
 * Host-agnostic: no JupyterLab imports.
 */
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Node as YamlNode,
  parseAllDocuments,
  Scalar,
  stringify
} from 'yaml';

/** Bounds on what is parsed; the server says which it enforces (same defaults). */
export interface IConfigLimits {
  maxBytes: number;
  maxAliases: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_LIMITS: IConfigLimits = {
  maxBytes: 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  maxNodes: 100000
};

export type ConfigFormat = 'yaml' | 'json';

/** A problem in the text: where (line 1-based, offsets) and what. */
export interface IConfigProblem {
  /** JSON pointer of the value concerned ('' for the document). */
  pointer: string;
  line: number;
  from: number;
  to: number;
  message: string;
  /** The rule broken: a JSON Schema keyword, or 'syntax', 'duplicate-key', 'tag', 'alias', 'size', 'depth'. */
  rule: string;
  severity: 'error' | 'warning';
}

export interface IParsedConfig {
  text: string;
  format: ConfigFormat;
  /** The data, when the text parsed within the limits; else undefined. */
  data: unknown;
  /** Parse problems (each stops validation). */
  problems: IConfigProblem[];
  /** Position of a JSON pointer: the value's range, or its nearest existing parent's. */
  locate(pointer: string): { line: number; from: number; to: number };
}

/** The YAML 1.2 core schema tags: anything else (`!!python/object`, `!foo`) is refused. */
const CORE_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq'
]);

export function formatOf(path: string): ConfigFormat {
  return /\.json$/i.test(path) ? 'json' : 'yaml';
}

/** Parse the configuration text; never throws. */
export function parseConfig(
  text: string,
  format: ConfigFormat = 'yaml',
  limits: IConfigLimits = DEFAULT_LIMITS
): IParsedConfig {
  const lines = new LineCounter();
  const lineOf = (offset: number) => lines.linePos(offset).line;
  const problems: IConfigProblem[] = [];
  const problem = (
    message: string,
    rule: string,
    from = 0,
    to = from
  ): IConfigProblem => ({
    pointer: '',
    line: lineOf(from),
    from,
    to,
    message,
    rule,
    severity: 'error'
  });

  let doc: Document.Parsed | null = null;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > limits.maxBytes) {
    problems.push({
      ...problem(
        `The file is ${bytes} bytes; at most ${limits.maxBytes} are accepted.`,
        'size'
      ),
      line: 1
    });
  } else {
    // JSON is YAML 1.2 (a flow mapping/sequence), which gives one parser, one
    // set of positions and the same duplicate-key check for both formats.
    const docs = parseAllDocuments(text, {
      lineCounter: lines,
      version: '1.2',
      schema: 'core',
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      keepSourceTokens: false
    });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length > 1) {
      const second = list[1].range[0];
      problems.push(
        problem(
          'The file holds several YAML documents (---); a configuration is one document.',
          'syntax',
          second
        )
      );
    }
    doc = list[0] ?? null;
    if (doc) {
      for (const error of doc.errors) {
        const from = error.pos[0];
        const rule =
          error.code === 'DUPLICATE_KEY'
            ? 'duplicate-key'
            : error.code === 'TAG_RESOLVE_FAILED'
              ? 'tag'
              : 'syntax';
        problems.push(
          problem(firstLine(error.message), rule, from, error.pos[1])
        );
      }
      for (const warning of doc.warnings) {
        if (warning.code === 'TAG_RESOLVE_FAILED') {
          problems.push(
            problem(
              `${firstLine(warning.message)}: only the YAML core tags are accepted (no language-specific types).`,
              'tag',
              warning.pos[0],
              warning.pos[1]
            )
          );
        }
      }
      if (!problems.length) {
        problems.push(...checkNodes(doc, limits, problem));
      }
      if (
        !problems.length &&
        format === 'json' &&
        doc.contents &&
        !isJsonShaped(text)
      ) {
        problems.push(
          problem(
            'This is a JSON file: write JSON (a list or an object), not YAML.',
            'syntax'
          )
        );
      }
      if (!problems.length && format === 'json') {
        // Strict JSON too: YAML would read NaN, comments or single quotes.
        try {
          JSON.parse(text);
        } catch (e) {
          const message = (e as Error).message;
          const at = /position (\d+)/.exec(message);
          problems.push(
            problem(
              `Not valid JSON: ${firstLine(message)}`,
              'syntax',
              at ? Number(at[1]) : 0
            )
          );
        }
      }
    }
  }

  let data: unknown = undefined;
  if (!problems.length && doc) {
    try {
      data = doc.toJS({ maxAliasCount: limits.maxAliases }) ?? null;
    } catch {
      problems.push(
        problem(
          `Aliases expand too far (more than ${limits.maxAliases}): refused as a resource-exhaustion risk.`,
          'alias'
        )
      );
    }
  }

  const parsed = doc;
  return {
    text,
    format,
    data,
    problems,
    locate: (pointer: string) => {
      const range = parsed ? rangeOf(parsed, pointer) : null;
      const [from, to] = range ?? [0, 0];
      return { line: lineOf(from), from, to };
    }
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function isJsonShaped(text: string): boolean {
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[';
}

/** Depth, node count (with aliases expanded) and alias count, without expanding anything. */
function checkNodes(
  doc: Document.Parsed,
  limits: IConfigLimits,
  problem: (message: string, rule: string, from?: number) => IConfigProblem
): IConfigProblem[] {
  const sizes = new Map<YamlNode, number>();
  let aliases = 0;
  let worst: IConfigProblem | null = null;
  // Expanded size of a node: aliases count as the size of what they point at,
  // memoized, so a "billion laughs" document is measured in linear time.
  const size = (node: unknown, depth: number): number => {
    if (worst) {
      return 0;
    }
    if (depth > limits.maxDepth) {
      const from = (node as YamlNode)?.range?.[0] ?? 0;
      worst = problem(
        `Nested more than ${limits.maxDepth} levels deep.`,
        'depth',
        from
      );
      return 0;
    }
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > limits.maxAliases) {
        worst = problem(
          `More than ${limits.maxAliases} aliases: refused as a resource-exhaustion risk.`,
          'alias',
          node.range?.[0] ?? 0
        );
        return 0;
      }
      const target = node.resolve(doc);
      return target ? (sizes.get(target) ?? size(target, depth)) : 1;
    }
    if (isPair(node)) {
      return size(node.key, depth) + size(node.value, depth);
    }
    if (isScalar(node)) {
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        worst = problem(
          `The tag ${node.tag} is not accepted: only the YAML core tags.`,
          'tag',
          node.range?.[0] ?? 0
        );
      }
      return 1;
    }
    if (isMap(node) || isSeq(node)) {
      const known = sizes.get(node);
      if (known !== undefined) {
        return known;
      }
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        worst = problem(
          `The tag ${node.tag} is not accepted: only the YAML core tags.`,
          'tag',
          node.range?.[0] ?? 0
        );
        return 0;
      }
      let total = 1;
      for (const item of node.items as unknown[]) {
        total += size(item, depth + 1);
        if (total > limits.maxNodes) {
          break;
        }
      }
      sizes.set(node, total);
      if (total > limits.maxNodes && !worst) {
        worst = problem(
          `The document expands to more than ${limits.maxNodes} values.`,
          'alias',
          node.range?.[0] ?? 0
        );
      }
      return total;
    }
    return 1;
  };
  size(doc.contents, 0);
  return worst ? [worst] : [];
}

/** Split a JSON pointer into keys ('' is the document). */
export function pointerKeys(pointer: string): string[] {
  if (!pointer) {
    return [];
  }
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function toPointer(keys: (string | number)[]): string {
  return keys
    .map(k => '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('');
}

/** The node at `keys` and its pair (for a map entry), or undefined. */
function nodeAt(
  doc: Document.Parsed,
  keys: string[]
): { node: unknown; pair?: unknown; parent?: unknown } | undefined {
  let node: unknown = doc.contents;
  let pair: unknown = undefined;
  let parent: unknown = undefined;
  for (const key of keys) {
    if (isAlias(node)) {
      node = node.resolve(doc);
    }
    parent = node;
    if (isMap(node)) {
      pair = node.items.find(p => keyText(p.key) === key);
      if (!pair) {
        return undefined;
      }
      node = (pair as { value: unknown }).value;
    } else if (isSeq(node) && /^\d+$/.test(key)) {
      pair = undefined;
      node = node.items[Number(key)];
      if (node === undefined) {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return { node, pair, parent };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** Source range of the value at a pointer, or of its nearest existing ancestor (its key when it has one). */
function rangeOf(doc: Document.Parsed, pointer: string): [number, number] {
  const keys = pointerKeys(pointer);
  for (let n = keys.length; n >= 0; n--) {
    const found = nodeAt(doc, keys.slice(0, n));
    if (!found) {
      continue;
    }
    const key = isPair(found.pair) ? (found.pair.key as YamlNode) : null;
    const node = found.node as YamlNode | null;
    if (n < keys.length && key?.range) {
      // A missing child: point at the parent's key.
      return [key.range[0], key.range[1]];
    }
    if (key?.range && node?.range) {
      return [key.range[0], node.range[1]];
    }
    if (node?.range) {
      return [node.range[0], node.range[1]];
    }
  }
  return [0, 0];
}

/**
 * The text with the value at `keys` set to `value` (undefined removes it),
 * changing as few characters as possible.
 */
export function applyValue(
  text: string,
  keys: (string | number)[],
  value: unknown
): string {
  const docs = parseAllDocuments(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: false
  });
  const doc = (Array.isArray(docs) ? docs[0] : undefined) as
    Document.Parsed | undefined;
  if (!doc || doc.errors.length) {
    throw new Error('The text does not parse: fix it in the text view first.');
  }
  if (!keys.length) {
    return stringify(value, { lineWidth: 0 });
  }
  const path = keys.map(String);
  const found = nodeAt(doc, path);
  if (found) {
    return value === undefined
      ? removeEntry(text, found)
      : replaceValue(text, found, value);
  }
  if (value === undefined) {
    return text;
  }
  // A new key (or item): the deepest existing ancestor gets it.
  for (let n = path.length - 1; n >= 0; n--) {
    const ancestor = nodeAt(doc, path.slice(0, n));
    if (!ancestor) {
      continue;
    }
    let nested: unknown = value;
    for (let i = path.length - 1; i > n; i--) {
      nested = /^\d+$/.test(path[i]) ? [nested] : { [path[i]]: nested };
    }
    return insertEntry(text, ancestor.node, path[n], nested);
  }
  return text;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end + 1;
}

function indentAt(text: string, offset: number): number {
  const start = lineStart(text, offset);
  let i = start;
  while (text[i] === ' ') {
    i++;
  }
  return i - start;
}

/** The flow (one-line) YAML of a value: `x`, `"a b"`, `[1, 2]`, `{a: 1}`. */
function flowOf(value: unknown, like?: Scalar): string {
  if (value !== null && typeof value === 'object') {
    const doc = new Document(value);
    const visitCollection = (node: unknown) => {
      if (isMap(node) || isSeq(node)) {
        node.flow = true;
        for (const item of node.items as unknown[]) {
          visitCollection(isPair(item) ? item.value : item);
        }
      }
    };
    visitCollection(doc.contents);
    return doc.toString({ lineWidth: 0 }).trimEnd();
  }
  const scalar = new Scalar(value);
  if (like && typeof value === 'string') {
    if (like.type === 'QUOTE_DOUBLE' || like.type === 'QUOTE_SINGLE') {
      scalar.type = like.type;
    }
  }
  return new Document(scalar).toString({ lineWidth: 0 }).trimEnd();
}

/** The block YAML of a value at an indentation, as lines (without a trailing newline). */
function blockOf(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  return stringify(value, { lineWidth: 0, indent: 2 })
    .trimEnd()
    .split('\n')
    .map(line => pad + line)
    .join('\n');
}

function replaceValue(
  text: string,
  found: { node: unknown; pair?: unknown; parent?: unknown },
  value: unknown
): string {
  const node = found.node as YamlNode | null;
  const isCollection = value !== null && typeof value === 'object';
  if (node && isScalar(node) && node.range && !isCollection) {
    if (node.value === value) {
      return text;
    }
    // Only the scalar's own characters change (its comment stays).
    const [from, to] = node.range;
    return text.slice(0, from) + flowOf(value, node) + text.slice(to);
  }
  if (node && (isMap(node) || isSeq(node)) && node.range) {
    const [from, to] = node.range;
    if (node.flow || !isCollection) {
      let end = to;
      while (end > from && /\s/.test(text[end - 1])) {
        end--;
      }
      const replacement = isCollection
        ? flowOf(value)
        : flowOf(value) + (node.flow ? '' : '\n');
      return text.slice(0, from) + replacement + text.slice(end);
    }
    // A block collection: edit entry by entry so comments inside stay.
    return editCollection(text, node, value as object);
  }
  // An empty value (`key:`), or an alias: write the value after the key.
  const pair = found.pair as { key: YamlNode; value: YamlNode | null } | null;
  if (pair?.key?.range) {
    const keyEnd = pair.key.range[1];
    const colon = text.indexOf(':', keyEnd);
    const end = node?.range ? node.range[1] : colon + 1;
    if (isCollection && Object.keys(value as object).length) {
      const indent = indentAt(text, pair.key.range[0]) + 2;
      const eol = lineEnd(text, colon);
      return (
        text.slice(0, colon + 1) +
        '\n' +
        blockOf(value, indent) +
        '\n' +
        text.slice(Math.max(eol, end))
      );
    }
    return text.slice(0, colon + 1) + ' ' + flowOf(value) + text.slice(end);
  }
  return text;
}

/** Make a block collection hold `value`: changed entries edited, missing ones added, extra ones removed. */
function editCollection(text: string, node: YamlNode, value: object): string {
  // Re-parse after each edit: ranges move.
  let current = text;
  const apply = (keys: (string | number)[], v: unknown) => {
    current = applyValue(current, keys, v);
  };
  const base = pathOfNode(text, node);
  if (base === null) {
    return text;
  }
  if (Array.isArray(value)) {
    const items = (node as unknown as { items: unknown[] }).items;
    if (!isSeq(node)) {
      return replaceWhole(text, node, value);
    }
    // Remove from the end so indexes stay valid, then set and append.
    for (let i = items.length - 1; i >= value.length; i--) {
      apply([...base, i], undefined);
    }
    value.forEach((item, i) => apply([...base, i], item));
    return current;
  }
  if (!isMap(node)) {
    return replaceWhole(text, node, value);
  }
  const existing = node.items.map(p => keyText(p.key));
  for (const key of existing) {
    if (!(key in value)) {
      apply([...base, key], undefined);
    }
  }
  for (const [key, v] of Object.entries(value)) {
    apply([...base, key], v);
  }
  return current;
}

function replaceWhole(text: string, node: YamlNode, value: unknown): string {
  const [from, to] = node.range!;
  const indent = indentAt(text, from);
  const start = lineStart(text, from);
  return text.slice(0, start) + blockOf(value, indent) + '\n' + text.slice(to);
}

/** The keys leading to a node, found by its position. */
function pathOfNode(text: string, target: YamlNode): string[] | null {
  const docs = parseAllDocuments(text, { version: '1.2', schema: 'core' });
  const doc = (Array.isArray(docs) ? docs[0] : undefined) as
    Document.Parsed | undefined;
  if (!doc) {
    return null;
  }
  const search = (node: unknown, keys: string[]): string[] | null => {
    const range = (node as YamlNode | null)?.range;
    if (range && target.range && range[0] === target.range[0]) {
      if (isMap(node) === isMap(target) && isSeq(node) === isSeq(target)) {
        return keys;
      }
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const found = search(pair.value, [...keys, keyText(pair.key)]);
        if (found) {
          return found;
        }
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = search(node.items[i], [...keys, String(i)]);
        if (found) {
          return found;
        }
      }
    }
    return null;
  };
  return search(doc.contents, []);
}

function removeEntry(
  text: string,
  found: { node: unknown; pair?: unknown; parent?: unknown }
): string {
  const parent = found.parent as YamlNode | undefined;
  const item = (
    isPair(found.pair) ? found.pair.key : found.node
  ) as YamlNode | null;
  const node = found.node as YamlNode | null;
  if (!item?.range) {
    return text;
  }
  if (parent && (isMap(parent) || isSeq(parent)) && parent.flow) {
    // In a flow collection: re-write the collection without the entry.
    const data = (parent as YamlNode).toJSON?.() as unknown;
    if (Array.isArray(data)) {
      const index = (parent as unknown as { items: unknown[] }).items.indexOf(
        found.node
      );
      data.splice(index, 1);
    } else if (data && typeof data === 'object' && isPair(found.pair)) {
      delete (data as Record<string, unknown>)[keyText(found.pair.key)];
    }
    const [from, to] = parent.range!;
    return text.slice(0, from) + flowOf(data) + text.slice(to);
  }
  // A block entry: its lines, from the key's (or the `- `) line to the end of its value.
  const from = lineStart(text, item.range[0]);
  const endOffset = node?.range ? node.range[1] : item.range[1];
  let to = lineEnd(text, Math.max(item.range[1], endOffset - 1));
  if (node?.range && node.range[1] > 0 && text[node.range[1] - 1] === '\n') {
    to = node.range[1];
  }
  const remaining = text.slice(0, from) + text.slice(to);
  return remaining;
}

function insertEntry(
  text: string,
  parentNode: unknown,
  key: string,
  value: unknown
): string {
  const parent = (isAlias(parentNode) ? null : parentNode) as YamlNode | null;
  if (parent && (isMap(parent) || isSeq(parent)) && parent.flow) {
    const data = parent.toJSON() as unknown;
    if (Array.isArray(data)) {
      data.push(value);
    } else {
      (data as Record<string, unknown>)[key] = value;
    }
    const [from, to] = parent.range!;
    return text.slice(0, from) + flowOf(data) + text.slice(to);
  }
  if (parent && isMap(parent) && parent.items.length) {
    const last = parent.items[parent.items.length - 1];
    const indent = indentAt(text, (last.key as YamlNode).range![0]);
    const end =
      (last.value as YamlNode | null)?.range?.[1] ??
      (last.key as YamlNode).range![1];
    const at = text[end - 1] === '\n' ? end : lineEnd(text, end - 1);
    const sep = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    return (
      text.slice(0, at) +
      sep +
      blockOf({ [key]: value }, indent) +
      '\n' +
      text.slice(at)
    );
  }
  if (parent && isSeq(parent) && parent.items.length) {
    const last = parent.items[parent.items.length - 1] as YamlNode;
    const dash = text.lastIndexOf('-', last.range![0]);
    const indent = indentAt(text, dash);
    const end = last.range![1];
    const at = text[end - 1] === '\n' ? end : lineEnd(text, end - 1);
    const sep = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    return (
      text.slice(0, at) + sep + blockOf([value], indent) + '\n' + text.slice(at)
    );
  }
  if (!parent || (isMap(parent) && !parent.items.length && !parent.range)) {
    // An empty document: the key becomes its first entry.
    const sep = text && !text.endsWith('\n') ? '\n' : '';
    return text + sep + blockOf({ [key]: value }, 0) + '\n';
  }
  // An empty collection written `{}` / `[]`, or `key:` with nothing: rewrite it.
  const data = Array.isArray((parent as YamlNode).toJSON())
    ? [value]
    : { [key]: value };
  const [from, to] = parent.range!;
  return text.slice(0, from) + flowOf(data) + text.slice(to);
}
