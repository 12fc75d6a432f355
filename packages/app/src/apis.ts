import { AnyApiFactory } from '@backstage/core-plugin-api';

/**
 * App-level API overrides. The Segments client comes with the plugin; the
 * defaults of @backstage/app-defaults provide discovery, fetch, identity and
 * permissions.
 */
export const apis: AnyApiFactory[] = [];
