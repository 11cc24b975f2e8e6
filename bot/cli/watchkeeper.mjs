#!/usr/bin/env node
// `npx watchkeeper` entry: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./bin.ts');
