import {
  OPERATORS_BY_TYPE,
  SEGMENT_FIELDS,
  SegmentFieldInfo,
} from '@internal/plugin-segments-common';

const VALUES: Record<string, string[]> = {
  country: ['TW', 'JP', 'US'],
  tier: ['bronze', 'silver', 'gold'],
  city: ['Taipei', 'Tokyo'],
  categories: ['books', 'electronics', 'toys'],
};

/** Fields as GET /api/segments/fields lists them, plus one attribute. */
export const testFields: SegmentFieldInfo[] = [
  ...SEGMENT_FIELDS.map(f => ({
    ...f,
    operators: OPERATORS_BY_TYPE[f.dataType],
    ...(VALUES[f.name] ? { values: VALUES[f.name] } : {}),
  })),
  {
    name: 'attributes.newsletter',
    label: 'Attribute: newsletter',
    dataType: 'boolean',
    group: 'attributes',
    operators: OPERATORS_BY_TYPE.boolean,
  },
];
