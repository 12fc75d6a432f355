/** Buckets customers are spread over for sampled previews. */
export const SAMPLE_BUCKETS = 1024;

/**
 * A customer's sample bucket, 0 to {@link SAMPLE_BUCKETS} - 1: a hash of the
 * customer id (32-bit FNV-1a over UTF-16 code units), so re-ingesting a
 * customer keeps its bucket and a customer's orders share it. Previews of
 * large customer bases evaluate a rule on the customers of the first buckets
 * and scale up, as Braze does with its random bucket numbers.
 */
export function sampleBucket(customerId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    h ^= customerId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SAMPLE_BUCKETS;
}

/** `AND <alias>.sample_bucket < n`: restricts customers or orders to the first `buckets` buckets. */
export function sampleFilter(alias: 'c' | 'o', buckets: number | undefined): string {
  return buckets === undefined ? '' : ` AND ${alias}.sample_bucket < ${Math.floor(buckets)}`;
}
