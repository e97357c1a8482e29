/** A canonical port forward for tests: WAN address port 7443 to 10.30.0.20:443, defaults elsewhere. */
import type { Endpoint } from "../../src/Domain/Model.ts"
import type { PortForwardSpec } from "../../src/Kinds/PortForward/Spec.ts"

export const endpoint = (addresses: ReadonlyArray<string> = [], port = ""): Endpoint => ({
  addresses,
  invert: false,
  port
})

export const forwardSpec = (over: Partial<PortForwardSpec> = {}): PortForwardSpec => ({
  enabled: true,
  noRdr: false,
  interfaces: ["wan"],
  ipVersion: "inet",
  protocol: "TCP",
  source: endpoint(),
  destination: endpoint(["wanip"], "7443"),
  target: "10.30.0.20",
  localPort: "443",
  poolOptions: "",
  filterRule: "manual",
  natReflection: "default",
  log: false,
  tag: "",
  tagged: "",
  noSync: false,
  description: "",
  categories: [],
  ...over
})
