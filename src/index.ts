#!/usr/bin/env -S node --max-semi-space-size=16 --no-allocation-site-pretenuring
import { main } from "./main.ts"

main(process.argv.slice(2))
