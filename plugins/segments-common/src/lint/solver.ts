import { FieldModel, ORDER_FIELDS, fieldModel } from './fieldModel';
import { NAtom, NNode } from './normalize';
import {
  above,
  allowsMissing,
  allowsPresent,
  arrAllowsEmpty,
  ArrSet,
  closed,
  greatest,
  intersect,
  isEmptySet,
  leastFrom,
  numHas,
  numSet,
  NumSet,
  ValueSet,
} from './valueSets';

/** Thrown when a search runs out of steps. */
export class BudgetExceeded extends Error {}

/** Wall-clock limit of one check, whatever its step budget. */
export const CHECK_TIME_LIMIT_MS = 500;

/**
 * Bounds the work of a lint run in steps and in time, so it stays cheap
 * enough for every keystroke and no rule can keep a server busy.
 */
export class Budget {
  private readonly deadline: number;
  private ticks = 0;
  constructor(public remaining: number, timeLimitMs = CHECK_TIME_LIMIT_MS) {
    this.deadline = Date.now() + timeLimitMs;
  }
  tick(n = 1) {
    this.remaining -= n;
    if (this.remaining < 0) throw new BudgetExceeded('lint budget exceeded');
    // Reading the clock is cheap, but not free: look every 64 ticks.
    this.ticks += n;
    if (this.ticks >= 64) {
      this.ticks = 0;
      if (Date.now() > this.deadline) {
        this.remaining = -1;
        throw new BudgetExceeded('lint time limit exceeded');
      }
    }
  }
  get exhausted() {
    return this.remaining < 0;
  }
}

/** The domain of every constrained field along one AND-branch. */
export type DomainState = Map<string, { model: FieldModel; set: ValueSet }>;

/** Outcome of {@link solve}. */
export interface SolveResult {
  status: 'sat' | 'unsat' | 'unknown';
  /** For `unsat`: minimal sets of atoms that cannot hold together (one per failed branch, deduplicated). */
  cores: NAtom[][];
  /** For `sat`: the domains of one satisfiable branch. */
  witness?: DomainState;
}

const MAX_CORES = 16;

/**
 * Decides whether the conjunction of `nodes` can hold for some customer, by a
 * depth-first search over OR branches with per-field domains (pruning a branch
 * as soon as a domain becomes empty). Never answers `unsat` for a satisfiable
 * conjunction; answers `unknown` when the budget runs out.
 */
export function solve(
  nodes: NNode[],
  budget: Budget,
  options: { cores?: boolean } = {},
): SolveResult {
  // Conflicts are minimized only when the whole search fails: most failed
  // branches of a satisfiable search are never reported.
  const raw: Array<{ atoms: NAtom[]; unsat: (atoms: NAtom[]) => boolean }> = [];
  let witness: DomainState | undefined;
  const record = (atoms: NAtom[], unsat: (atoms: NAtom[]) => boolean) => {
    if (options.cores && raw.length < MAX_CORES * 4) raw.push({ atoms, unsat });
  };
  const finishCores = () => {
    const cores: NAtom[][] = [];
    const seen = new Set<string>();
    for (const { atoms, unsat } of raw) {
      const core = minimize(atoms, unsat);
      const key = core
        .map(a => `${a.path}${a.negated ? '!' : ''}`)
        .sort()
        .join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      cores.push(core);
      if (cores.length >= MAX_CORES) break;
    }
    return cores;
  };

  const search = (
    pending: NNode[],
    state0: DomainState,
    used0: NAtom[],
  ): boolean => {
    const state: DomainState = new Map(state0);
    const used = [...used0];
    const ors: NNode[] = [];
    const queue = [...pending];
    while (queue.length) {
      const n = queue.pop()!;
      budget.tick();
      if (n.t === 'atom') {
        if (!addAtom(state, n)) {
          if (options.cores) {
            record(
              [...used.filter(a => a.model.key === n.model.key), n],
              fieldConflict,
            );
          }
          return false;
        }
        used.push(n);
      } else if (n.t === 'and') {
        queue.push(...n.kids);
      } else if (n.kids.length === 0) {
        // An empty OR never holds (only reachable for invalid rules).
        return false;
      } else {
        ors.push(n);
      }
    }
    if (invariantViolation(state)) {
      if (options.cores) {
        const linked = used.filter(
          a =>
            ORDER_FIELDS.has(a.model.field) ||
            a.model.key.startsWith('attributes.'),
        );
        record(linked, atomsUnsat);
      }
      return false;
    }
    if (!ors.length) {
      witness = state;
      return true;
    }
    // Drop OR alternatives that are atoms already excluded by the state; an OR
    // left with one alternative is forced (unit propagation), so only real
    // choices branch.
    const choices: NNode[][] = [];
    for (const or of ors as Array<Extract<NNode, { kids: unknown }>>) {
      budget.tick(or.kids.length);
      const viable = or.kids.filter(k => k.t !== 'atom' || fits(state, k));
      if (viable.length === 0) {
        // Every alternative is an atom that conflicts: let each record its core.
        if (options.cores)
          for (const kid of or.kids) search([kid], state, used);
        return false;
      }
      choices.push(viable);
    }
    const asOr = (kids: NNode[]) => ({ t: 'or', path: '', kids } as NNode);
    if (choices.some(c => c.length === 1)) {
      const forced = choices.filter(c => c.length === 1).map(c => c[0]);
      return search(
        [...choices.filter(c => c.length > 1).map(asOr), ...forced],
        state,
        used,
      );
    }
    choices.sort((a, b) => a.length - b.length);
    const [first, ...rest] = choices;
    for (const kid of first) {
      if (search([...rest.map(asOr), kid], state, used)) return true;
    }
    return false;
  };

  try {
    const ok = search(nodes, new Map(), []);
    return ok
      ? { status: 'sat', cores: [], witness }
      : { status: 'unsat', cores: finishCores() };
  } catch (e) {
    if (e instanceof BudgetExceeded) return { status: 'unknown', cores: [] };
    throw e;
  }
}

/** Intersects an atom into the state; false when the field's domain becomes empty. */
function addAtom(state: DomainState, atom: NAtom): boolean {
  const { model } = atom;
  const prev = state.get(model.key)?.set ?? model.universe;
  const next = intersect(prev, atom.set, model.integer);
  state.set(model.key, { model, set: next });
  return !isEmptySet(next);
}

/** True when the atom can still hold in the state. */
function fits(state: DomainState, atom: NAtom): boolean {
  const { model } = atom;
  return !isEmptySet(
    intersect(
      state.get(model.key)?.set ?? model.universe,
      atom.set,
      model.integer,
    ),
  );
}

function stateOf(atoms: NAtom[]): DomainState | undefined {
  const state: DomainState = new Map();
  for (const a of atoms) if (!addAtom(state, a)) return undefined;
  return state;
}

function fieldConflict(atoms: NAtom[]): boolean {
  return stateOf(atoms) === undefined;
}

/** True when the atoms cannot hold together (domains or linked-field invariants). */
export function atomsUnsat(atoms: NAtom[]): boolean {
  const state = stateOf(atoms);
  return !state || invariantViolation(state);
}

/** Deletion-based minimization: drops every atom the conflict does not need. */
function minimize(atoms: NAtom[], unsat: (atoms: NAtom[]) => boolean): NAtom[] {
  let core = [...new Set(atoms)];
  for (const a of [...core]) {
    const without = core.filter(x => x !== a);
    if (without.length && unsat(without)) core = without;
  }
  return core.sort((a, b) => comparePaths(a.path, b.path));
}

/** Orders paths as the conditions appear in the rule. */
export function comparePaths(a: string, b: string): number {
  const parts = (p: string) => p.match(/\d+|[^\d]+/g) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

// ------------------------------------------------------------ invariants

const get = (state: DomainState, field: string): ValueSet =>
  state.get(field)?.set ?? fieldModel(field, 'number').universe;

/**
 * Checks the links between fields that hold for every customer (so using
 * them keeps the lint sound): order-derived fields and typed attribute views.
 * Returns true when the state certainly has no customer.
 */
export function invariantViolation(state: DomainState): boolean {
  return attributeViolation(state) || orderViolation(state);
}

function attributeViolation(state: DomainState): boolean {
  let present: Map<string, number> | undefined;
  for (const [key, { set }] of state) {
    if (!key.startsWith('attributes.')) continue;
    present ??= new Map();
    const name = key.slice(0, key.lastIndexOf(':'));
    // An attribute holds one value, so at most one typed view of it is present.
    if (!allowsMissing(set)) present.set(name, (present.get(name) ?? 0) + 1);
  }
  return present ? [...present.values()].some(n => n > 1) : false;
}

const WINDOWS = [30, 90, 365];

const POSITIVE = numSet([above(0, true)]);
const AT_LEAST_ONE = numSet([above(1, false)]);
const ZERO = numSet([closed(0, 0)]);
const DAY_BUCKETS = [
  closed(0, 29),
  closed(30, 89),
  closed(90, 364),
  above(365, false),
].map(b => numSet([b]));

function orderViolation(state: DomainState): boolean {
  let touched = false;
  for (const k of state.keys()) {
    if (ORDER_FIELDS.has(k)) {
      touched = true;
      break;
    }
  }
  if (!touched) return false;
  const n = get(state, 'orderCount') as NumSet;
  const total = get(state, 'totalSpent') as NumSet;
  const avg = get(state, 'avgOrderValue') as NumSet;
  const first = get(state, 'firstOrderAt') as NumSet;
  const last = get(state, 'lastOrderAt') as NumSet;
  const days = get(state, 'daysSinceLastOrder') as NumSet;
  const spent = WINDOWS.map(w => get(state, `spentLast${w}d`) as NumSet);
  const counts = WINDOWS.map(w => get(state, `ordersLast${w}d`) as NumSet);
  const categories = (state.get('categories')?.set ??
    fieldModel('categories', 'array').universe) as ArrSet;

  // Case 1: no counted orders.
  const none =
    numHas(n, 0) &&
    numHas(total, 0) &&
    [avg, first, last, days].every(allowsMissing) &&
    spent.every(s => numHas(s, 0)) &&
    counts.every(c => numHas(c, 0)) &&
    arrAllowsEmpty(categories);
  if (none) return false;

  // Case 2: at least one counted order.
  const withOrders = intersect(n, AT_LEAST_ONE, true) as NumSet;
  if (!withOrders.ranges.length) return true;
  if (![avg, first, last, days].every(allowsPresent)) return true;
  // avgOrderValue = totalSpent / orderCount: both 0 or both > 0.
  const positive = POSITIVE;
  const zeroBoth = numHas(total, 0) && numHas(avg, 0);
  const positiveBoth =
    (intersect(total, positive) as NumSet).ranges.length > 0 &&
    (intersect(avg, positive) as NumSet).ranges.length > 0;
  if (!zeroBoth && !positiveBoth) return true;
  // firstOrderAt <= lastOrderAt.
  const lowFirst = first.ranges[0];
  const highLast = greatest(last)!;
  if (
    !(
      lowFirst.lo < highLast.v ||
      (lowFirst.lo === highLast.v && !lowFirst.loOpen && !highLast.open)
    )
  )
    return true;
  // The last order's age decides which windows hold orders: ordersLastNd >= 1 iff daysSinceLastOrder < N.
  const zero = ZERO;
  const atLeastOne = AT_LEAST_ONE;
  return !DAY_BUCKETS.some((bucket, b) => {
    if (!(intersect(days, bucket, true) as NumSet).ranges.length) return false;
    const c = counts.map(
      (set, i) => intersect(set, b <= i ? atLeastOne : zero, true) as NumSet,
    );
    const s = spent.map((set, i) =>
      b <= i ? set : (intersect(set, zero) as NumSet),
    );
    if ([...c, ...s].some(x => !x.ranges.length)) return false;
    // ordersLast30d <= ordersLast90d <= ordersLast365d <= orderCount, and the same for sums.
    const chain = (sets: NumSet[]) => {
      let cur: { v: number; open: boolean } | undefined = {
        v: -Infinity,
        open: true,
      };
      for (const set of sets) {
        cur = leastFrom(set, cur);
        if (!cur) return false;
      }
      return true;
    };
    return chain([...c, withOrders]) && chain([...s, total]);
  });
}
