import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  SegmentExecution,
  SegmentFieldInfo,
  SegmentResult,
  SegmentRule,
  SegmentRuleInput,
} from '@internal/plugin-segments-common';
import type { RequestOptions, SegmentsApi } from './SegmentsApi';
import type {
  ChangeType,
  CustomerSample,
  DataStats,
  ExecuteResponse,
  ListRulesRequest,
  Page,
  PreviewRequest,
  PreviewResponse,
  SaveRuleOptions,
  SegmentResultDetail,
  SegmentRuleWithResult,
} from './types';
import type {
  AuditRecord,
  CustomerExplanation,
  ListAuditRequest,
  OverlapResponse,
  PreviewChangeRequest,
  PreviewChangeResponse,
} from './insightTypes';

type Query = Record<string, string | number | undefined>;

/**
 * Default implementation of {@link SegmentsApi} over `fetchApi`.
 * @public
 */
export class SegmentsClient implements SegmentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getFields(options?: RequestOptions): Promise<SegmentFieldInfo[]> {
    const body = await this.request<{ items: SegmentFieldInfo[] }>(
      'GET',
      '/fields',
      { signal: options?.signal },
    );
    return body.items;
  }

  listRules(
    request: ListRulesRequest = {},
    options?: RequestOptions,
  ): Promise<Page<SegmentRuleWithResult>> {
    return this.request('GET', '/rules', {
      query: { ...request },
      signal: options?.signal,
    });
  }

  getRule(
    id: string,
    options?: RequestOptions,
  ): Promise<SegmentRuleWithResult> {
    return this.request('GET', `/rules/${enc(id)}`, {
      signal: options?.signal,
    });
  }

  createRule(
    input: SegmentRuleInput,
    options: SaveRuleOptions = {},
  ): Promise<SegmentRule> {
    return this.request('POST', '/rules', {
      body: input,
      query: { force: options.force ? 'true' : undefined },
    });
  }

  updateRule(
    id: string,
    input: SegmentRuleInput,
    options: SaveRuleOptions = {},
  ): Promise<SegmentRule> {
    return this.request('PUT', `/rules/${enc(id)}`, {
      body: input,
      query: { force: options.force ? 'true' : undefined },
    });
  }

  deleteRule(
    id: string,
    request: { children?: 'reparent' | 'delete' } = {},
  ): Promise<{ deleted: string[]; reparented: string[] }> {
    return this.request('DELETE', `/rules/${enc(id)}`, {
      query: { children: request.children },
    });
  }

  previewRule(
    request: PreviewRequest,
    options?: RequestOptions,
  ): Promise<PreviewResponse> {
    return this.request('POST', '/rules/preview', {
      body: request,
      signal: options?.signal,
    });
  }

  executeRule(
    id: string,
    request: { asOf?: string } = {},
  ): Promise<ExecuteResponse> {
    return this.request('POST', `/rules/${enc(id)}/execute`, { body: request });
  }

  executeAll(request: { asOf?: string } = {}): Promise<ExecuteResponse> {
    return this.request('POST', '/execute', { body: request });
  }

  async listExecutions(
    request: { segmentRuleId?: string; limit?: number } = {},
    options?: RequestOptions,
  ): Promise<SegmentExecution[]> {
    const body = await this.request<{ items: SegmentExecution[] }>(
      'GET',
      '/executions',
      { query: { ...request }, signal: options?.signal },
    );
    return body.items;
  }

  getExecution(
    id: string,
    options?: RequestOptions,
  ): Promise<SegmentExecution> {
    return this.request('GET', `/executions/${enc(id)}`, {
      signal: options?.signal,
    });
  }

  listResults(
    request: { segmentRuleId?: string; limit?: number; offset?: number } = {},
    options?: RequestOptions,
  ): Promise<Page<SegmentResult>> {
    return this.request('GET', '/results', {
      query: { ...request },
      signal: options?.signal,
    });
  }

  getResult(
    id: string,
    options?: RequestOptions,
  ): Promise<SegmentResultDetail> {
    return this.request('GET', `/results/${enc(id)}`, {
      signal: options?.signal,
    });
  }

  listChanges(
    resultId: string,
    request: { type: ChangeType; limit?: number; offset?: number },
    options?: RequestOptions,
  ): Promise<Page<string>> {
    return this.request('GET', `/results/${enc(resultId)}/changes`, {
      query: { ...request },
      signal: options?.signal,
    });
  }

  listMembers(
    resultId: string,
    request: { search?: string; limit?: number; offset?: number } = {},
    options?: RequestOptions,
  ): Promise<Page<CustomerSample>> {
    return this.request('GET', `/results/${enc(resultId)}/customers`, {
      query: { ...request },
      signal: options?.signal,
    });
  }

  getDataStats(options?: RequestOptions): Promise<DataStats> {
    return this.request('GET', '/data/stats', { signal: options?.signal });
  }

  previewChange(
    id: string,
    request: PreviewChangeRequest,
    options?: RequestOptions,
  ): Promise<PreviewChangeResponse> {
    return this.request('POST', `/rules/${enc(id)}/preview-change`, {
      body: request,
      signal: options?.signal,
    });
  }

  explainCustomer(
    customerId: string,
    request: { ruleId: string; asOf?: string },
    options?: RequestOptions,
  ): Promise<CustomerExplanation> {
    return this.request('GET', `/customers/${enc(customerId)}/explain`, {
      query: { ...request },
      signal: options?.signal,
    });
  }

  listAudit(
    request: ListAuditRequest = {},
    options?: RequestOptions,
  ): Promise<Page<AuditRecord>> {
    return this.request('GET', '/audit', {
      query: { ...request },
      signal: options?.signal,
    });
  }

  getOverlap(
    ids: string[],
    options?: RequestOptions,
  ): Promise<OverlapResponse> {
    return this.request('GET', '/overlap', {
      query: { ids: ids.join(',') },
      signal: options?.signal,
    });
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('segments');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}${qs ? `?${qs}` : ''}`,
      {
        method,
        signal: options.signal,
        ...(options.body !== undefined
          ? {
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(options.body),
            }
          : {}),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

function enc(id: string) {
  return encodeURIComponent(id);
}
