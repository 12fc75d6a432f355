import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentCondition } from '@internal/plugin-segments-common';
import { PreviewResponse, segmentsApiRef } from '../../api';

/** The part of a rule a preview depends on. */
export interface PreviewInput {
  logicalOperator: 'AND' | 'OR';
  conditions: SegmentCondition[];
  parentSegmentId?: string;
  /** The stored rule being edited, if any. */
  ruleId?: string;
}

/** State of the live preview. */
export interface PreviewState {
  /** True from an edit until its answer arrives. */
  loading: boolean;
  /** The latest answer; kept while a newer one is loading. */
  response?: PreviewResponse;
  error?: Error;
  /** Asks for an exact count of the current rule (previews of large customer bases are estimates). */
  countExactly?: () => void;
}

/** Default wait after the last edit before asking the server. */
export const PREVIEW_DEBOUNCE_MS = 300;

/**
 * Live preview of a rule being edited: asks `POST /rules/preview` once edits
 * pause for `delayMs`, aborts superseded requests and ignores answers that
 * arrive after a newer request started.
 */
export function useRulePreview(
  input: PreviewInput,
  options: { delayMs?: number; enabled?: boolean } = {},
): PreviewState {
  const api = useApi(segmentsApiRef);
  const delayMs = options.delayMs ?? PREVIEW_DEBOUNCE_MS;
  const enabled = (options.enabled ?? true) && input.conditions.length > 0;
  const latest = useRef(0);
  const [state, setState] = useState<PreviewState>({ loading: false });
  const key = JSON.stringify(input);
  // An exact count is asked for one version of the rule; the next edit estimates again.
  const [exactKey, setExactKey] = useState<string>();
  const exact = exactKey === key;
  const countExactly = useCallback(() => setExactKey(key), [key]);

  useEffect(() => {
    const requestId = ++latest.current;
    if (!enabled) {
      setState({ loading: false });
      return undefined;
    }
    setState(s => ({ ...s, loading: true }));
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const { logicalOperator, conditions, parentSegmentId, ruleId } =
        JSON.parse(key);
      api
        .previewRule(
          {
            // The preview needs a whole rule; the name does not matter.
            rule: {
              name: 'preview',
              logicalOperator,
              conditions,
              ...(parentSegmentId ? { parentSegmentId } : {}),
            },
            ...(ruleId ? { ruleId } : {}),
            ...(exact ? { exact: true } : {}),
          },
          { signal: controller.signal },
        )
        .then(response => {
          if (requestId === latest.current) {
            setState({ loading: false, response });
          }
        })
        .catch(error => {
          if (requestId === latest.current && !controller.signal.aborted) {
            setState(s => ({ ...s, loading: false, error }));
          }
        });
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, key, delayMs, enabled, exact]);

  return { ...state, countExactly };
}
