// The pure model of docs/model.md: validated SI data in, numbers out.
export * from './bytes.js';
export * from './calibrate.js';
export * from './deploy.js';
export * from './energy.js';
export * from './evaluate.js';
export * from './fleet.js';
export * from './mix.js';
export * from './money.js';
export * from './pareto.js';
export * from './precision.js';
export * from './replica.js';
export * from './types.js';
