// Worker entry: registers tsx so the TypeScript load generator can run inside a worker thread.
import { register } from 'tsx/esm/api';

register();
await import('./load.ts');
