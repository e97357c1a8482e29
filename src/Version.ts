import pkg from "../package.json" with { type: "json" }

export const VERSION: string = pkg.version

/** the release tag of this version: releases are tagged v<package version> (CHANGELOG.md) */
export const RELEASE_TAG: string = `v${VERSION}`
