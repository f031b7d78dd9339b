#!/usr/bin/env node
// The `stackfeed` command: a committed launcher for the built CLI (present before the first build,
// so installing the workspace can link it).
import '../dist/bin.js';
