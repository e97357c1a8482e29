#!/usr/bin/env -S node --max-semi-space-size=16
import { main } from "./main.ts"

main(process.argv.slice(2))
