// Worker-thread bootstrap: workers do not inherit the parent's module hooks, so the TypeScript
// loader is registered here before the worker's own module is imported.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
