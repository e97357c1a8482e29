/** A TCP port on 127.0.0.1 that was free a moment ago (for a child process that takes PORT). */
import { createServer } from "node:net"

export const freePort = (): Promise<number> =>
  new Promise((ok) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => ok(typeof address === "object" && address !== null ? address.port : 0))
    })
  })
