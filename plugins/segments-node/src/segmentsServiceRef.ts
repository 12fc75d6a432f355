import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { DefaultSegmentsService } from './DefaultSegmentsService';
import { SegmentsService } from './SegmentsService';

/**
 * Segment data for other backend plugins, e.g. `deps: { segments: segmentsServiceRef }`.
 * @public
 */
export const segmentsServiceRef = createServiceRef<SegmentsService>({
  id: 'segments.service',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) => DefaultSegmentsService.create({ discovery, auth }),
    }),
});
