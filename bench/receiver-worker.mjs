// Worker entry: registers tsx so the TypeScript receiver can run inside a worker thread.
import { register } from 'tsx/esm/api';

register();
await import('./receiver.ts');
