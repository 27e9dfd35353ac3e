// Loaded by mocha after ts-node (see .mocharc.json).
//
// Pulumi records a stack trace for every promise and resource it creates. Through ts-node's
// source-map hook each of those costs about a millisecond, which made one program run take a
// second. Plain V8 stack traces keep the unit suite fast; TypeScript is transpiled line for line,
// so the line numbers in a failure still point at the right place.
delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
