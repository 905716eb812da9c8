import memlab from 'memlab';
import * as ns from 'memlab';
console.log(typeof memlab.findLeaksBySnapshotFilePaths, typeof (ns as any).findLeaksBySnapshotFilePaths, typeof (ns as any).config, (ns as any).ConsoleMode);
