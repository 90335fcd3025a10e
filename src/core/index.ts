export * from './clock.ts';
export * from './errors.ts';
export * from './logger.ts';
export * from './options.ts';
export * from './secret.ts';
export * from './serialization.ts';
export * from './url.ts';
