/**
 * Isomorphic types, rule DSL, rule validation and permissions of the Segments plugin.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './fields';
export * from './dates';
export * from './text';
export * from './validateRule';
export * from './customerFeatures';
export * from './evaluateRule';
export * from './permissions';
export * from './ingestSchemas';
export * from './lint';
export * from './topics';
