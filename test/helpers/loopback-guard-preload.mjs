// Loaded with `node --import` into the CLI processes tests start: see loopback-guard.mjs.
import { installLoopbackGuard } from './loopback-guard.mjs';

installLoopbackGuard();
