import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentRuleInput } from '@internal/plugin-segments-common';
import { PreviewChangeResponse, segmentsApiRef } from '../../api';

/** State of the edit-effect preview. */
export interface ChangeEffectState {
  loading: boolean;
  value?: PreviewChangeResponse;
  error?: Error;
}

/** Wait after the last edit before asking for the edit effect. */
export const CHANGE_EFFECT_DEBOUNCE_MS = 600;

/**
 * How the members of a stored rule would change if saved as `input`
 * (`POST /rules/:id/preview-change`), asked once edits pause. Idle when
 * `input` is undefined (no unsaved change, or an invalid rule).
 */
export function useChangeEffect(
  ruleId: string | undefined,
  input: SegmentRuleInput | undefined,
  delayMs = CHANGE_EFFECT_DEBOUNCE_MS,
): ChangeEffectState {
  const api = useApi(segmentsApiRef);
  const [state, setState] = useState<ChangeEffectState>({ loading: false });
  const key = input && ruleId ? JSON.stringify(input) : '';

  useEffect(() => {
    if (!key || !ruleId) {
      setState({ loading: false });
      return undefined;
    }
    setState(s => ({ ...s, loading: true }));
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .previewChange(
          ruleId,
          { rule: JSON.parse(key) },
          { signal: controller.signal },
        )
        .then(value => setState({ loading: false, value }))
        .catch(error => {
          if (!controller.signal.aborted) setState({ loading: false, error });
        });
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, ruleId, key, delayMs]);

  return state;
}
