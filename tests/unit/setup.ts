// Loaded by mocha after tsx, before any spec (see .mocharc.json).
//
// Every run of the suite compiles the same JavaScript (the Pulumi SDK and providers, several MB):
// Node 22's compile cache keeps V8's bytecode for it between runs, in the OS temp dir (a cold
// first run fills it). The code that runs is the same either way.
import { enableCompileCache } from "node:module";

enableCompileCache();
