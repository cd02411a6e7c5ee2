export * from './registration.js';
export * from './events.js';
export * from './protocol.js';
export * from './guards.js';
export * from './model.js';
export * from './values.js';
export * from './oma-objects.js';
export * from './fleet-text.js';
