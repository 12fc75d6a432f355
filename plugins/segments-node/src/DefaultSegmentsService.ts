import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { SegmentMembersPage, SegmentSummary, SegmentsService } from './SegmentsService';

/**
 * {@link SegmentsService} over the segments REST API, with a plugin request
 * token on behalf of the caller.
 * @public
 */
export class DefaultSegmentsService implements SegmentsService {
  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly fetchFn: typeof fetch,
  ) {}

  static create(options: { discovery: DiscoveryService; auth: AuthService; fetch?: typeof fetch }) {
    return new DefaultSegmentsService(options.discovery, options.auth, options.fetch ?? fetch);
  }

  async listSegments(options: { credentials: BackstageCredentials; status?: string }): Promise<SegmentSummary[]> {
    const query = new URLSearchParams({ limit: '1000' });
    if (options.status) query.set('status', options.status);
    const body = await this.get(`/rules?${query}`, options.credentials);
    return body.items.map((r: any) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      priority: r.priority,
      ...(r.parentSegmentId ? { parentSegmentId: r.parentSegmentId } : {}),
      ...(r.latestResult ? { memberCount: r.latestResult.customerCount } : {}),
      ...(r.lastExecutedAt ? { lastExecutedAt: r.lastExecutedAt } : {}),
    }));
  }

  async getCustomerSegments(options: { credentials: BackstageCredentials; customerId: string }) {
    return this.get(`/customers/${encodeURIComponent(options.customerId)}/segments`, options.credentials);
  }

  async listMembers(options: {
    credentials: BackstageCredentials;
    segmentId: string;
    limit?: number;
    offset?: number;
    forMarketing?: boolean;
  }): Promise<SegmentMembersPage> {
    const rule = await this.get(`/rules/${encodeURIComponent(options.segmentId)}`, options.credentials);
    if (!rule.latestResult) return { items: [], totalCount: 0 };
    const query = new URLSearchParams({
      limit: String(options.limit ?? 50),
      offset: String(options.offset ?? 0),
      // Syncs to other systems are for marketing unless the caller says otherwise.
      forMarketing: String(options.forMarketing ?? true),
    });
    return this.get(`/results/${rule.latestResult.resultId}/customers?${query}`, options.credentials);
  }

  private async get(path: string, credentials: BackstageCredentials) {
    const baseUrl = await this.discovery.getBaseUrl('segments');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'segments',
    });
    const res = await this.fetchFn(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw await ResponseError.fromResponse(res as any);
    return res.json();
  }
}
