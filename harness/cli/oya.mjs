#!/usr/bin/env node
// The `oya` executable. Oya is written in TypeScript and runs without a build step: register
// tsx's ESM loader, then hand over to the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
// Exit when the command is done rather than when the last handle closes: a command has awaited
// everything it owns by then, and a stray handle (the embedded engine's notification receiver
// stays pending after free()) would otherwise keep `oya surreal` alive after Ctrl-C.
process.exit(await main(process.argv.slice(2)));
