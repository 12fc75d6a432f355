/*
 * Value sets: the domain of one field along one AND-branch. Every set also
 * says whether "missing" (no value) is allowed, because the engine's logic is
 * two-valued: a leaf on a missing value is false, so NOT(x > 5) is
 * `x <= 5 OR x is missing`.
 *
 * Emptiness checks may only answer "empty" when the set is really empty (the
 * lint's contradictions depend on it); answering "not empty" for an empty set
 * only costs precision.
 */

/** An interval of the real line; infinite ends are always open. */
export interface Range {
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

/** Numbers and dates (epoch ms): a union of disjoint sorted ranges, plus missing. */
export interface NumSet {
  kind: 'num';
  missing: boolean;
  ranges: Range[];
}

/** A substring or prefix test on a string. */
export interface StrPattern {
  op: 'contains' | 'startsWith';
  value: string;
}

/**
 * Strings: a finite set (`in`) or the complement of one (`notIn`), further
 * restricted by patterns that must (`pos`) or must not (`neg`) match, plus missing.
 */
export interface StrSet {
  kind: 'str';
  missing: boolean;
  mode: 'in' | 'notIn';
  values: string[];
  pos: StrPattern[];
  neg: StrPattern[];
}

/** Booleans (and opaque conditions): bit 1 true, 2 false, 4 missing. */
export interface BoolSet {
  kind: 'bool';
  mask: number;
}

/**
 * Sets of strings (the `categories` array, never missing), as a conjunction
 * of constraints on the customer's set S.
 */
export interface ArrSet {
  kind: 'arr';
  /** Must be in S (containsAll). */
  required: string[];
  /** Must not be in S (notIn). */
  forbidden: string[];
  /** S must meet each of these lists (in). */
  anyOf: string[][];
  /** S must miss at least one of each of these lists (NOT containsAll). */
  notAll: string[][];
  /** S must be empty. */
  empty: boolean;
  /** S must not be empty. */
  nonEmpty: boolean;
}

/** The domain of one field. */
export type ValueSet = NumSet | StrSet | BoolSet | ArrSet;

export const BOOL_TRUE = 1;
export const BOOL_FALSE = 2;
export const BOOL_MISSING = 4;

const ALL_REALS: Range = {
  lo: -Infinity,
  hi: Infinity,
  loOpen: true,
  hiOpen: true,
};

// ---------------------------------------------------------------- numbers

/** A number set from ranges (normalized: sorted, merged). */
export function numSet(
  ranges: Range[],
  missing = false,
  integer = false,
): NumSet {
  return { kind: 'num', missing, ranges: normalizeRanges(ranges, integer) };
}

/** A closed range [lo, hi]. */
export function closed(lo: number, hi: number): Range {
  return { lo, hi, loOpen: false, hiOpen: false };
}

/** x > v (open) or x >= v. */
export function above(v: number, open: boolean): Range {
  return { lo: v, hi: Infinity, loOpen: open, hiOpen: true };
}

/** x < v (open) or x <= v. */
export function below(v: number, open: boolean): Range {
  return { lo: -Infinity, hi: v, loOpen: true, hiOpen: open };
}

/** Every real number. */
export function allReals(): Range {
  return { ...ALL_REALS };
}

function validRange(r: Range): boolean {
  return r.lo < r.hi || (r.lo === r.hi && !r.loOpen && !r.hiOpen);
}

function toInteger(r: Range): Range | undefined {
  let lo = -Infinity;
  if (r.lo !== -Infinity)
    lo = r.loOpen ? Math.floor(r.lo) + 1 : Math.ceil(r.lo);
  let hi = Infinity;
  if (r.hi !== Infinity) hi = r.hiOpen ? Math.ceil(r.hi) - 1 : Math.floor(r.hi);
  const out = { lo, hi, loOpen: lo === -Infinity, hiOpen: hi === Infinity };
  return lo <= hi ? out : undefined;
}

/** Sorts and merges ranges; with `integer`, snaps them to whole numbers. */
export function normalizeRanges(ranges: Range[], integer = false): Range[] {
  if (ranges.length === 0) return ranges;
  if (ranges.length === 1 && !integer)
    return validRange(ranges[0]) ? ranges : [];
  let list = ranges.filter(validRange);
  if (integer) list = list.map(toInteger).filter((r): r is Range => !!r);
  // Equal starts: the closed one first.
  list = [...list].sort(
    (a, b) => a.lo - b.lo || Number(a.loOpen) - Number(b.loOpen),
  );
  const out: Range[] = [];
  for (const r of list) {
    const c = out[out.length - 1];
    const touches =
      c &&
      (r.lo < c.hi ||
        (r.lo === c.hi && (!r.loOpen || !c.hiOpen)) ||
        (integer && Number.isFinite(c.hi) && r.lo === c.hi + 1));
    if (!touches) {
      out.push({ ...r });
      continue;
    }
    if (r.hi > c.hi) {
      c.hi = r.hi;
      c.hiOpen = r.hiOpen;
    } else if (r.hi === c.hi) {
      c.hiOpen = c.hiOpen && r.hiOpen;
    }
  }
  return out;
}

function intersectRange(a: Range, b: Range): Range | undefined {
  let lo = a.lo;
  let loOpen = a.loOpen;
  if (b.lo > lo) {
    lo = b.lo;
    loOpen = b.loOpen;
  } else if (b.lo === lo) loOpen = loOpen || b.loOpen;
  let hi = a.hi;
  let hiOpen = a.hiOpen;
  if (b.hi < hi) {
    hi = b.hi;
    hiOpen = b.hiOpen;
  } else if (b.hi === hi) hiOpen = hiOpen || b.hiOpen;
  const r = { lo, hi, loOpen, hiOpen };
  return validRange(r) ? r : undefined;
}

function intersectRanges(a: Range[], b: Range[]): Range[] {
  if (a.length === 1 && b.length === 1) {
    const r = intersectRange(a[0], b[0]);
    return r ? [r] : [];
  }
  const out: Range[] = [];
  for (const x of a) {
    for (const y of b) {
      const r = intersectRange(x, y);
      if (r) out.push(r);
    }
  }
  return normalizeRanges(out);
}

function complementRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let lo = -Infinity;
  let loOpen = true;
  for (const r of ranges) {
    const gap = { lo, loOpen, hi: r.lo, hiOpen: !r.loOpen };
    if (gap.hi === -Infinity) gap.hiOpen = true;
    if (validRange(gap)) out.push(gap);
    lo = r.hi;
    loOpen = !r.hiOpen;
  }
  const last = {
    lo,
    loOpen: lo === Infinity ? true : loOpen,
    hi: Infinity,
    hiOpen: true,
  };
  if (validRange(last)) out.push(last);
  return out;
}

/**
 * The infimum of the values of `set` that are >= `from` (or > when open):
 * `{ v, open }` where open means "not attained"; undefined when none exist.
 */
export function leastFrom(
  set: NumSet,
  from: { v: number; open: boolean },
): { v: number; open: boolean } | undefined {
  for (const r of set.ranges) {
    const x = intersectRange(r, {
      lo: from.v,
      loOpen: from.open,
      hi: Infinity,
      hiOpen: true,
    });
    if (x) return { v: x.lo, open: x.loOpen };
  }
  return undefined;
}

/** The supremum of a number set's present values (`open`: not attained). */
export function greatest(
  set: NumSet,
): { v: number; open: boolean } | undefined {
  const r = set.ranges[set.ranges.length - 1];
  return r && { v: r.hi, open: r.hiOpen };
}

/** True when the number set contains `v`. */
export function numHas(set: NumSet, v: number): boolean {
  return set.ranges.some(r => intersectRange(r, closed(v, v)) !== undefined);
}

// ---------------------------------------------------------------- strings

/** A string set. */
export function strSet(
  mode: 'in' | 'notIn',
  values: string[],
  missing = false,
  pos: StrPattern[] = [],
  neg: StrPattern[] = [],
): StrSet {
  return normalizeStr({ kind: 'str', missing, mode, values, pos, neg });
}

const patternKey = (p: StrPattern) => `${p.op}:${p.value}`;
/** Orders strings by code units (not locale), for canonical forms. */
export const compareText = (a: string, b: string) => {
  if (a === b) return 0;
  return a < b ? -1 : 1;
};
const uniqPatterns = (ps: StrPattern[]) =>
  [...new Map(ps.map(p => [patternKey(p), p])).values()].sort((a, b) =>
    compareText(patternKey(a), patternKey(b)),
  );
const uniqSorted = (vs: string[]) => [...new Set(vs)].sort();

/** True when a present string satisfies a pattern. */
export function matchesPattern(s: string, p: StrPattern): boolean {
  return p.op === 'contains' ? s.includes(p.value) : s.startsWith(p.value);
}

function normalizeStr(s: StrSet): StrSet {
  if (s.mode === 'in') {
    // A finite set absorbs its patterns exactly.
    const values = uniqSorted(s.values).filter(
      v =>
        s.pos.every(p => matchesPattern(v, p)) &&
        !s.neg.some(p => matchesPattern(v, p)),
    );
    return {
      kind: 'str',
      missing: s.missing,
      mode: 'in',
      values,
      pos: [],
      neg: [],
    };
  }
  const pos = uniqPatterns(s.pos);
  const neg = uniqPatterns(s.neg);
  // Excluded values that the patterns exclude anyway are noise.
  const values = uniqSorted(s.values).filter(
    v =>
      pos.every(p => matchesPattern(v, p)) &&
      !neg.some(p => matchesPattern(v, p)),
  );
  return { kind: 'str', missing: s.missing, mode: 'notIn', values, pos, neg };
}

/**
 * A string satisfying the set's present-value constraints; `undefined` when
 * there is certainly none, `null` when one exists but was not constructed.
 * Exact: with the patterns reduced to one prefix P and substrings C,
 * `P + X + c1 + X + c2 ... + X` with a character X absent from every pattern
 * contains a forbidden substring only if it sits inside P or some c.
 */
export function strWitness(s: StrSet): string | undefined | null {
  if (s.mode === 'in') return s.values[0];
  const prefixes = s.pos.filter(p => p.op === 'startsWith').map(p => p.value);
  let prefix = '';
  for (const p of prefixes) {
    if (p.startsWith(prefix)) prefix = p;
    else if (!prefix.startsWith(p)) return undefined;
  }
  const contains = s.pos.filter(p => p.op === 'contains').map(p => p.value);
  for (const n of s.neg) {
    if (n.value === '') return undefined;
    if (n.op === 'startsWith' && prefix.startsWith(n.value)) return undefined;
    if (
      n.op === 'contains' &&
      [prefix, ...contains].some(c => c.includes(n.value))
    )
      return undefined;
  }
  const all = [prefix, ...contains, ...s.neg.map(n => n.value)].join('');
  const sep = ['~', '_', '#', '|', '^', '\u00a7', '\u2063'].find(
    c => !all.includes(c),
  );
  if (!sep) return null;
  const body = [prefix, ...contains].join(sep);
  const excluded = new Set(s.values);
  for (let i = 1; i <= excluded.size + 1; i++) {
    const candidate = body + sep.repeat(i);
    if (
      !excluded.has(candidate) &&
      s.pos.every(p => matchesPattern(candidate, p)) &&
      !s.neg.some(p => matchesPattern(candidate, p))
    ) {
      return candidate;
    }
  }
  return null;
}

// ---------------------------------------------------------------- arrays

/** An array set with a single constraint. */
export function arrSet(partial: Partial<Omit<ArrSet, 'kind'>>): ArrSet {
  return normalizeArr({
    kind: 'arr',
    required: [],
    forbidden: [],
    anyOf: [],
    notAll: [],
    empty: false,
    nonEmpty: false,
    ...partial,
  });
}

function normalizeArr(a: ArrSet): ArrSet {
  // "meets [x]" is "contains x"; "misses one of [x]" is "does not contain x".
  const required = uniqSorted([
    ...a.required,
    ...a.anyOf.filter(l => l.length === 1).map(l => l[0]),
  ]);
  const forbidden = uniqSorted([
    ...a.forbidden,
    ...a.notAll.filter(l => l.length === 1).map(l => l[0]),
  ]);
  const lists = (ls: string[][]) =>
    [
      ...new Map(
        ls.map(l => uniqSorted(l)).map(l => [JSON.stringify(l), l]),
      ).values(),
    ].sort((x, y) => compareText(JSON.stringify(x), JSON.stringify(y)));
  // A list already met by a required value, or missed through a forbidden one, is satisfied.
  const anyOf = lists(
    a.anyOf
      .filter(l => l.length !== 1)
      .map(l => l.filter(v => !forbidden.includes(v))),
  ).filter(l => !l.some(v => required.includes(v)));
  const notAll = lists(
    a.notAll
      .filter(l => l.length !== 1)
      .map(l => l.filter(v => !required.includes(v))),
  ).filter(l => !l.some(v => forbidden.includes(v)));
  return {
    kind: 'arr',
    required,
    forbidden,
    anyOf,
    notAll,
    empty: a.empty,
    nonEmpty: a.nonEmpty && !required.length,
  };
}

const MAX_ARR_COMBINATIONS = 512;

/** A set of categories meeting every constraint, or undefined (may be undefined only when truly none). */
export function arrWitness(a: ArrSet): string[] | undefined | 'unknown' {
  if (a.required.some(v => a.forbidden.includes(v))) return undefined;
  if (a.anyOf.some(l => l.length === 0) || a.notAll.some(l => l.length === 0))
    return undefined;
  if (a.empty) {
    return a.required.length || a.anyOf.length || a.nonEmpty ? undefined : [];
  }
  // Choose one element per unmet `anyOf`; every `notAll` list must keep a missing element.
  const choices = a.anyOf;
  let combinations = 1;
  for (const l of choices) combinations *= l.length;
  const fits = (s: Set<string>) => a.notAll.every(l => l.some(v => !s.has(v)));
  if (combinations > MAX_ARR_COMBINATIONS) return 'unknown';
  const pick = (i: number, chosen: Set<string>): Set<string> | undefined => {
    if (i === choices.length) return fits(chosen) ? chosen : undefined;
    const list = choices[i];
    if (list.some(v => chosen.has(v))) return pick(i + 1, chosen);
    for (const v of list) {
      const found = pick(i + 1, new Set([...chosen, v]));
      if (found) return found;
    }
    return undefined;
  };
  const s = pick(0, new Set(a.required));
  if (!s) return undefined;
  const out = [...s].sort();
  if (a.nonEmpty && out.length === 0) {
    const used = new Set([...a.forbidden, ...a.notAll.flat()]);
    let fresh = 'other';
    for (let i = 1; used.has(fresh); i++) fresh = `other${i}`;
    out.push(fresh);
  }
  return out;
}

/** True when the array set can be the empty set. */
export function arrAllowsEmpty(a: ArrSet): boolean {
  return !a.required.length && !a.anyOf.length && !a.nonEmpty;
}

/** True when the array set allows a non-empty set. */
export function arrAllowsNonEmpty(a: ArrSet): boolean {
  return !a.empty && arrWitness({ ...a, nonEmpty: true }) !== undefined;
}

// ---------------------------------------------------------------- generic

/** Intersection of two sets of the same kind. */
export function intersect(a: ValueSet, b: ValueSet, integer = false): ValueSet {
  if (a.kind === 'num' && b.kind === 'num') {
    return {
      kind: 'num',
      missing: a.missing && b.missing,
      ranges: normalizeRanges(intersectRanges(a.ranges, b.ranges), integer),
    };
  }
  if (a.kind === 'bool' && b.kind === 'bool')
    return { kind: 'bool', mask: a.mask & b.mask };
  if (a.kind === 'str' && b.kind === 'str') {
    let mode: 'in' | 'notIn';
    let values: string[];
    if (a.mode === 'in' && b.mode === 'in') {
      mode = 'in';
      values = a.values.filter(v => b.values.includes(v));
    } else if (a.mode === 'in' || b.mode === 'in') {
      const [inc, exc] = a.mode === 'in' ? [a, b] : [b, a];
      mode = 'in';
      values = inc.values.filter(v => !exc.values.includes(v));
    } else {
      mode = 'notIn';
      values = [...a.values, ...b.values];
    }
    return normalizeStr({
      kind: 'str',
      missing: a.missing && b.missing,
      mode,
      values,
      pos: [...a.pos, ...b.pos],
      neg: [...a.neg, ...b.neg],
    });
  }
  if (a.kind === 'arr' && b.kind === 'arr') {
    return normalizeArr({
      kind: 'arr',
      required: [...a.required, ...b.required],
      forbidden: [...a.forbidden, ...b.forbidden],
      anyOf: [...a.anyOf, ...b.anyOf],
      notAll: [...a.notAll, ...b.notAll],
      empty: a.empty || b.empty,
      nonEmpty: a.nonEmpty || b.nonEmpty,
    });
  }
  throw new Error(`Cannot intersect ${a.kind} with ${b.kind}`);
}

/** Union of two sets when it can be represented; undefined otherwise. */
export function union(
  a: ValueSet,
  b: ValueSet,
  integer = false,
): ValueSet | undefined {
  if (a.kind === 'num' && b.kind === 'num') {
    return {
      kind: 'num',
      missing: a.missing || b.missing,
      ranges: normalizeRanges([...a.ranges, ...b.ranges], integer),
    };
  }
  if (a.kind === 'bool' && b.kind === 'bool')
    return { kind: 'bool', mask: a.mask | b.mask };
  if (a.kind === 'str' && b.kind === 'str') {
    if (a.pos.length || a.neg.length || b.pos.length || b.neg.length)
      return undefined;
    const missing = a.missing || b.missing;
    if (a.mode === 'in' && b.mode === 'in')
      return strSet('in', [...a.values, ...b.values], missing);
    if (a.mode === 'notIn' && b.mode === 'notIn') {
      return strSet(
        'notIn',
        a.values.filter(v => b.values.includes(v)),
        missing,
      );
    }
    const [inc, exc] = a.mode === 'in' ? [a, b] : [b, a];
    return strSet(
      'notIn',
      exc.values.filter(v => !inc.values.includes(v)),
      missing,
    );
  }
  if (a.kind === 'arr' && b.kind === 'arr') {
    // Only "S meets L1" OR "S meets L2" = "S meets L1 ∪ L2" is representable here.
    const anyOf = (x: ArrSet) => {
      if (x.forbidden.length || x.notAll.length || x.empty || x.nonEmpty)
        return undefined;
      if (x.anyOf.length === 1 && !x.required.length) return x.anyOf[0];
      if (!x.anyOf.length && x.required.length === 1) return x.required;
      return undefined;
    };
    const la = anyOf(a);
    const lb = anyOf(b);
    return la && lb ? arrSet({ anyOf: [[...la, ...lb]] }) : undefined;
  }
  return undefined;
}

/**
 * Complement (within all values of the kind, missing included) of a set that
 * comes from one leaf condition. Throws for sets that are not representable.
 */
export function complement(a: ValueSet): ValueSet {
  switch (a.kind) {
    case 'num':
      return {
        kind: 'num',
        missing: !a.missing,
        ranges: complementRanges(a.ranges),
      };
    case 'bool':
      return { kind: 'bool', mask: ~a.mask & 7 };
    case 'str': {
      const patterns = a.pos.length + a.neg.length;
      if (patterns === 0) {
        return strSet(a.mode === 'in' ? 'notIn' : 'in', a.values, !a.missing);
      }
      if (patterns === 1 && a.mode === 'notIn' && a.values.length === 0) {
        return strSet('notIn', [], !a.missing, a.neg, a.pos);
      }
      throw new Error('complement of a compound string set');
    }
    case 'arr': {
      const parts =
        (a.required.length ? 1 : 0) +
        (a.forbidden.length ? 1 : 0) +
        a.anyOf.length +
        a.notAll.length +
        (a.empty ? 1 : 0) +
        (a.nonEmpty ? 1 : 0);
      if (parts === 0) return arrSet({ empty: true, nonEmpty: true });
      if (parts > 1) throw new Error('complement of a compound array set');
      if (a.empty) return arrSet({ nonEmpty: true });
      if (a.nonEmpty) return arrSet({ empty: true });
      if (a.anyOf.length) return arrSet({ forbidden: a.anyOf[0] });
      if (a.notAll.length) return arrSet({ required: a.notAll[0] });
      if (a.required.length) {
        return a.required.length === 1
          ? arrSet({ forbidden: a.required })
          : arrSet({ notAll: [a.required] });
      }
      return a.forbidden.length === 1
        ? arrSet({ required: a.forbidden })
        : arrSet({ anyOf: [a.forbidden] });
    }
    default:
      throw new Error('unknown set');
  }
}

/** True only when the set is certainly empty. */
export function isEmptySet(a: ValueSet): boolean {
  switch (a.kind) {
    case 'num':
      return !a.missing && a.ranges.length === 0;
    case 'bool':
      return a.mask === 0;
    case 'str':
      return !a.missing && strWitness(a) === undefined;
    case 'arr':
      return arrWitness(a) === undefined;
    default:
      return false;
  }
}

/** True when the set allows the missing value. */
export function allowsMissing(a: ValueSet): boolean {
  switch (a.kind) {
    case 'num':
    case 'str':
      return a.missing;
    case 'bool':
      return (a.mask & BOOL_MISSING) !== 0;
    default:
      return false;
  }
}

/** True when the set allows some present value. */
export function allowsPresent(a: ValueSet): boolean {
  switch (a.kind) {
    case 'num':
      return a.ranges.length > 0;
    case 'str':
      return strWitness(a) !== undefined;
    case 'bool':
      return (a.mask & (BOOL_TRUE | BOOL_FALSE)) !== 0;
    default:
      return !isEmptySet(a);
  }
}

/** A canonical text form of a set (equal texts mean equal sets). */
export function serializeSet(a: ValueSet): string {
  switch (a.kind) {
    case 'num':
      return `${a.ranges
        .map(
          r => `${r.loOpen ? '(' : '['}${r.lo},${r.hi}${r.hiOpen ? ')' : ']'}`,
        )
        .join('u')}${a.missing ? '|missing' : ''}`;
    case 'bool':
      return `b${a.mask}`;
    case 'str':
      return JSON.stringify([
        a.mode,
        a.values,
        a.pos.map(patternKey),
        a.neg.map(patternKey),
        a.missing,
      ]);
    case 'arr':
      return JSON.stringify([
        a.required,
        a.forbidden,
        a.anyOf,
        a.notAll,
        a.empty,
        a.nonEmpty,
      ]);
    default:
      return '?';
  }
}
