/**
 * The Segments backend plugin.
 *
 * @packageDocumentation
 */
export { segmentsPlugin as default } from './plugin';
