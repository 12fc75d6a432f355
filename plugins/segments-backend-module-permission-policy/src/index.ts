/**
 * Role policy for the Segments plugin: roles admin, editor and viewer mapped
 * from groups in app-config, as a module of the permission backend.
 *
 * @packageDocumentation
 */
export { segmentsPermissionPolicyModule as default } from './module';
export * from './SegmentsRolePolicy';
