#!/usr/bin/env node
// The `oya` executable. Oya is written in TypeScript and runs without a build step: register
// tsx's ESM loader, then hand over to the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
