export * from './permissions.js';
export * from './errors.js';
export * from './dictionaries.js';
export * from './warnings.js';
