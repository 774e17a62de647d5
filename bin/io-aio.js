#!/usr/bin/env node
// The io-aio command (package.json "bin"): see lib/cli/main.ts.
'use strict'
require('../lib/cli/main.js').run()
