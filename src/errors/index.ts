export { LanternError } from './lantern-error.js';
