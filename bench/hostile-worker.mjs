// Worker entry: registers tsx so the TypeScript hostile/victim clients can run inside a worker thread.
import { register } from 'tsx/esm/api';

register();
await import('./hostile-client.ts');
