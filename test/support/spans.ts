/** A tracer that keeps every span it starts, for tests that look at span names and attributes. */
import { Tracer } from "effect"

export const spanRecorder = () => {
  const spans: Array<Tracer.Span> = []
  const recording = Tracer.make({
    span(options) {
      const span = Tracer.nativeTracer.span(options)
      spans.push(span)
      return span
    }
  })
  return { recording, spans }
}
