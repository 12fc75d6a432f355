import { BackstageCredentials } from '@backstage/backend-plugin-api';

/** A segment as other plugins see it. @public */
export interface SegmentSummary {
  id: string;
  name: string;
  status: string;
  priority: number;
  parentSegmentId?: string;
  memberCount?: number;
  lastExecutedAt?: string;
}

/** A page of a segment's current members. @public */
export interface SegmentMembersPage {
  items: Array<{ id: string; name?: string; country?: string; tier?: string; totalSpent: number }>;
  totalCount: number;
}

/**
 * Segment data for other backend plugins. Calls are made on behalf of the
 * given credentials, so the caller's permissions apply.
 * @public
 */
export interface SegmentsService {
  listSegments(options: { credentials: BackstageCredentials; status?: string }): Promise<SegmentSummary[]>;
  getCustomerSegments(options: {
    credentials: BackstageCredentials;
    customerId: string;
  }): Promise<{ primarySegmentId?: string; segments: Array<{ id: string; name: string; priority: number }> }>;
  /**
   * A page of a segment's current members. Customers who opted out of
   * marketing are left out unless `forMarketing` is false (e.g. for analysis
   * that contacts nobody).
   */
  listMembers(options: {
    credentials: BackstageCredentials;
    segmentId: string;
    limit?: number;
    offset?: number;
    /** Leave out customers who opted out of marketing (default true). */
    forMarketing?: boolean;
  }): Promise<SegmentMembersPage>;
}
