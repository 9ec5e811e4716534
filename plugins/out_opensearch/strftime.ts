// strftime moved to src/codec/strftime.ts (shared with the s3, kinesis and firehose outputs).
export { compileStrftime, hasConversion, type Strftime } from '../../src/codec/strftime.js';
