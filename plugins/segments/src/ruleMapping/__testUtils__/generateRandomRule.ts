import {
  LIST_OPERATORS,
  NULLARY_OPERATORS,
  OPERATORS_BY_TYPE,
  RANGE_OPERATORS,
  SEGMENT_FIELDS,
  SegmentCondition,
  SegmentDataType,
  SegmentGroupCondition,
  SegmentLeafCondition,
} from '@internal/plugin-segments-common';
import type { RuleBuilderValue } from '../types';

/** A small seeded PRNG (mulberry32) so failures can be replayed from the seed. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) =>
    min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

type Random = ReturnType<typeof createRandom>;

const KNOWN_STRINGS: Record<string, string[]> = {
  country: ['TW', 'JP', 'US', 'DE', 'FR'],
  city: ['Taipei', 'Tokyo', 'New York', 'São Paulo', "Xi'an"],
  tier: ['bronze', 'silver', 'gold', 'platinum'],
  gender: ['female', 'male', 'other'],
  categories: ['books', 'electronics', 'home & garden', 'toys', '食品'],
};
const ODD_STRINGS = [
  '',
  ' ',
  'a "quoted" value',
  'back\\slash',
  'emoji 🎉',
  'line\nbreak',
];
const ATTRIBUTE_KEYS = [
  'newsletter',
  'vip_level',
  'loyalty-points',
  'source',
  'A1',
];

function randomString(r: Random, field: string): string {
  const known = KNOWN_STRINGS[field];
  if (known && r.chance(0.8)) return r.pick(known);
  return r.chance(0.3) ? r.pick(ODD_STRINGS) : `s${r.int(0, 9999)}`;
}

function randomNumber(r: Random): number {
  switch (r.int(0, 4)) {
    case 0:
      return 0;
    case 1:
      return -r.int(1, 1000);
    case 2:
      return r.int(0, 1_000_000) / 100;
    case 3:
      return r.int(0, 365);
    default:
      return r.int(0, 500_000);
  }
}

function pad(n: number, width = 2) {
  return String(n).padStart(width, '0');
}

function randomDate(r: Random): string {
  const y = r.int(1990, 2030);
  const m = r.int(1, 12);
  const d = r.int(1, 28);
  const day = `${y}-${pad(m)}-${pad(d)}`;
  if (r.chance(0.6)) return day;
  const time = `T${pad(r.int(0, 23))}:${pad(r.int(0, 59))}`;
  const seconds = r.chance(0.5) ? `:${pad(r.int(0, 59))}` : '';
  const ms = seconds && r.chance(0.3) ? `.${pad(r.int(0, 999), 3)}` : '';
  const zone = r.pick(['Z', '+08:00', '-05:00', '+00:00']);
  return `${day}${time}${seconds}${ms}${zone}`;
}

function randomScalar(
  r: Random,
  type: SegmentDataType,
  field: string,
): unknown {
  switch (type) {
    case 'number':
      return randomNumber(r);
    case 'date':
      return randomDate(r);
    case 'boolean':
      return r.chance(0.5);
    default:
      return randomString(r, field);
  }
}

function compare(a: unknown, b: unknown, type: SegmentDataType) {
  if (type === 'date') return Date.parse(a as string) - Date.parse(b as string);
  return (a as number) - (b as number);
}

function randomLeaf(r: Random): SegmentLeafCondition {
  let field: string;
  let dataType: SegmentDataType;
  if (r.chance(0.15)) {
    field = `attributes.${r.pick(ATTRIBUTE_KEYS)}`;
    dataType = r.pick<SegmentDataType>(['string', 'number', 'boolean']);
  } else {
    const def = r.pick(SEGMENT_FIELDS);
    field = def.name;
    dataType = def.dataType;
  }
  const operator = r.pick(OPERATORS_BY_TYPE[dataType]);
  const element: SegmentDataType = dataType === 'array' ? 'string' : dataType;
  const leaf: SegmentLeafCondition = { field, operator, dataType };
  if (r.chance(0.4)) leaf.id = `c-${r.int(0, 1e6)}`;
  if (NULLARY_OPERATORS.includes(operator)) {
    // Both an absent value and an explicit null are valid.
    if (r.chance(0.3)) leaf.value = null;
  } else if (LIST_OPERATORS.includes(operator)) {
    leaf.value = Array.from({ length: r.int(1, 4) }, () =>
      randomScalar(r, element, field),
    );
  } else if (RANGE_OPERATORS.includes(operator)) {
    const pair = [
      randomScalar(r, element, field),
      randomScalar(r, element, field),
    ];
    if (r.chance(0.1)) pair[1] = pair[0];
    pair.sort((a, b) => compare(a, b, element));
    leaf.value = pair;
  } else {
    leaf.value = randomScalar(r, element, field);
  }
  const not = r.int(0, 5);
  if (not === 0) leaf.not = true;
  else if (not === 1) leaf.not = false;
  // Shuffle key order sometimes: the mapping must not depend on it.
  if (r.chance(0.2)) {
    const entries = Object.entries(leaf).reverse();
    return Object.fromEntries(entries) as unknown as SegmentLeafCondition;
  }
  return leaf;
}

function randomCondition(r: Random, depth: number): SegmentCondition {
  if (depth < 4 && r.chance(0.25)) {
    const group: SegmentGroupCondition = {
      logicalOperator: r.pick(['AND', 'OR'] as const),
      subConditions: Array.from({ length: r.int(1, 4) }, () =>
        randomCondition(r, depth + 1),
      ),
    };
    if (r.chance(0.3)) group.id = `g-${r.int(0, 1e6)}`;
    const not = r.int(0, 4);
    if (not === 0) group.not = true;
    else if (not === 1) group.not = false;
    return group;
  }
  return randomLeaf(r);
}

/**
 * A random valid rule (checked by the caller with validateRule): up to 5
 * levels of nesting, every operator of every data type, attribute fields,
 * `not` (absent, true, false) on leaves and groups, and ids on some nodes.
 */
export function generateRandomRule(seed: number): RuleBuilderValue {
  const r = createRandom(seed);
  return {
    logicalOperator: r.pick(['AND', 'OR'] as const),
    conditions: Array.from({ length: r.int(1, 5) }, () =>
      randomCondition(r, 1),
    ),
  };
}
