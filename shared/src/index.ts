export * from './registration.js';
export * from './events.js';
export * from './protocol.js';
export * from './guards.js';
