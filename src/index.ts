export { LanternError } from './errors/index.js';
