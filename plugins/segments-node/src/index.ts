/**
 * Node library of the Segments plugin: a service for other backend plugins and
 * an extension point for data providers.
 *
 * @packageDocumentation
 */
export * from './SegmentsService';
export * from './DefaultSegmentsService';
export * from './segmentsServiceRef';
export * from './dataProviders';
export * from './permissions';
