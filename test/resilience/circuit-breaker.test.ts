/**
 * The breaker's state machine under TestClock: closed → open after N consecutive failures or a
 * failure rate → fail fast without running the effect → half-open single probe after the reset
 * timeout → closed on success / open again on failure; forced states; per-site isolation.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import { CircuitOpenError } from "../../src/Opnsense/Errors.ts"
import { type CircuitBreakerOptions, make } from "../../src/Resilience/CircuitBreaker.ts"

class Down {
  readonly _tag = "Down"
}
class Refused {
  readonly _tag = "Refused"
}
const isOutage = (e: Down | Refused) => e instanceof Down

const options: CircuitBreakerOptions = {
  failureThreshold: 3,
  failureRateThreshold: 1,
  minimumCalls: 100,
  windowSize: 10,
  resetTimeoutMs: 10_000
}

/** An effect that counts how often it really ran. */
const counted = Effect.gen(function*() {
  const runs = yield* Ref.make(0)
  const fail = Effect.andThen(Ref.update(runs, (n) => n + 1), Effect.fail(new Down()))
  const succeed = Effect.andThen(Ref.update(runs, (n) => n + 1), Effect.succeed("ok"))
  return { runs, fail, succeed }
})

describe("CircuitBreaker", () => {
  it.effect("opens after the configured consecutive failures and then fails fast", () =>
    Effect.gen(function*() {
      const breaker = yield* make(options)
      const { runs, fail, succeed } = yield* counted
      for (let i = 0; i < 2; i++) yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      expect(yield* breaker.state("fw1")).toBe("closed")
      yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      expect(yield* breaker.state("fw1")).toBe("open")

      const exit = yield* Effect.exit(breaker.protect("fw1", succeed, isOutage))
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("CircuitOpenError")
      expect(yield* Ref.get(runs)).toBe(3) // the rejected call never ran
      const [stats] = yield* breaker.stats
      expect(stats).toMatchObject({
        site: "fw1",
        state: "open",
        failures: 3,
        rejected: 1,
        timesOpened: 1,
        consecutiveFailures: 3
      })
      expect(stats?.nextProbeAt).toBe(10_000)
    }))

  it.effect("lets one probe through after the reset timeout; success closes it", () =>
    Effect.gen(function*() {
      const breaker = yield* make(options)
      const { runs, fail, succeed } = yield* counted
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      yield* TestClock.adjust("9999 millis")
      expect(Exit.isFailure(yield* Effect.exit(breaker.protect("fw1", succeed, isOutage)))).toBe(true)
      expect(yield* Ref.get(runs)).toBe(3)

      yield* TestClock.adjust("1 millis")
      // a slow probe: while it is in flight the breaker is half-open and other calls fail fast
      const probe = yield* Effect.forkChild(
        breaker.protect("fw1", Effect.andThen(Effect.sleep("1 second"), succeed), isOutage)
      )
      yield* Effect.yieldNow
      expect(yield* breaker.state("fw1")).toBe("half-open")
      expect(Exit.isFailure(yield* Effect.exit(breaker.protect("fw1", succeed, isOutage)))).toBe(true)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(probe)).toBe("ok")
      expect(yield* breaker.state("fw1")).toBe("closed")
      expect(yield* breaker.protect("fw1", succeed, isOutage)).toBe("ok")
    }))

  it.effect("a failed probe opens it again for another reset timeout", () =>
    Effect.gen(function*() {
      const breaker = yield* make(options)
      const { fail, succeed } = yield* counted
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      yield* TestClock.adjust("10 seconds")
      yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      expect(yield* breaker.state("fw1")).toBe("open")
      yield* TestClock.adjust("5 seconds")
      expect(Exit.isFailure(yield* Effect.exit(breaker.protect("fw1", succeed, isOutage)))).toBe(true)
      yield* TestClock.adjust("5 seconds")
      expect(yield* breaker.protect("fw1", succeed, isOutage)).toBe("ok")
      expect((yield* breaker.stats)[0]?.timesOpened).toBe(2)
    }))

  it.effect("answers that are not outages (401, validation) do not count", () =>
    Effect.gen(function*() {
      const breaker = yield* make(options)
      for (let i = 0; i < 10; i++) yield* Effect.exit(breaker.protect("fw1", Effect.fail(new Refused()), isOutage))
      expect(yield* breaker.state("fw1")).toBe("closed")
    }))

  it.effect("opens on a failure rate over the window even without a long streak", () =>
    Effect.gen(function*() {
      const breaker = yield* make({
        ...options,
        failureThreshold: 100,
        failureRateThreshold: 0.5,
        minimumCalls: 6,
        windowSize: 6
      })
      const { fail, succeed } = yield* counted
      for (const outcome of [fail, succeed, fail, succeed, fail]) {
        yield* Effect.exit(breaker.protect("fw1", outcome, isOutage))
      }
      expect(yield* breaker.state("fw1")).toBe("closed")
      yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      expect(yield* breaker.state("fw1")).toBe("open")
    }))

  it.effect("force open stops every site, force close keeps calling, reset returns to automatic", () =>
    Effect.gen(function*() {
      const breaker = yield* make(options)
      const { runs, fail, succeed } = yield* counted
      yield* breaker.forceOpen()
      const refused = yield* Effect.flip(breaker.protect("fw1", succeed, isOutage))
      // the operator's doing, not the firewall's: the message must not blame failures
      expect(refused).toBeInstanceOf(CircuitOpenError)
      const message = refused instanceof CircuitOpenError ? refused.message : ""
      expect(message).toContain("forced open by an operator")
      expect(message).not.toContain("repeated failures")
      expect(Exit.isFailure(yield* Effect.exit(breaker.protect("fw2", succeed, isOutage)))).toBe(true)
      yield* TestClock.adjust("1 hour")
      expect(Exit.isFailure(yield* Effect.exit(breaker.protect("fw1", succeed, isOutage)))).toBe(true)
      expect(yield* Ref.get(runs)).toBe(0)

      yield* breaker.forceClose("fw1")
      for (let i = 0; i < 10; i++) yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      expect(yield* breaker.state("fw1")).toBe("closed")
      expect(yield* breaker.state("fw2")).toBe("open")

      yield* breaker.reset()
      const stats = yield* breaker.stats
      expect(stats.map((s) => [s.site, s.state, s.forced])).toEqual([["fw1", "closed", undefined], [
        "fw2",
        "closed",
        undefined
      ]])
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect("fw1", fail, isOutage))
      expect(yield* breaker.state("fw1")).toBe("open")
      expect(yield* breaker.state("fw2")).toBe("closed")
    }))
})
