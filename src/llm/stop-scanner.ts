/**
 * Stop sequences matched on the generated *text*, not on tokens: a stop string can tokenize
 * differently alone than inside an answer (SentencePiece's space prefix), so token matching misses
 * some. The scanner holds back text that may be the start of a stop sequence, so a stream never
 * shows a stop sequence or anything after it — the same text as the final answer.
 */
export class StopScanner {
  private text = ''
  private emitted = 0
  /** Set once a stop sequence was seen: the answer is the text before it. */
  stopped = false

  constructor(private readonly stops: readonly string[]) {}

  /** Adds generated text; returns what may be shown now. */
  push(chunk: string): string {
    if (this.stopped) return ''
    this.text += chunk
    let cut = -1
    for (const s of this.stops) {
      const at = this.text.indexOf(s, Math.max(0, this.emitted - s.length + 1))
      if (at !== -1 && (cut === -1 || at < cut)) cut = at
    }
    if (cut !== -1) {
      this.stopped = true
      this.text = this.text.slice(0, cut)
      return this.take(this.text.length)
    }
    return this.take(this.text.length - this.heldBack())
  }

  /** The final answer (everything before the first stop sequence). */
  result(): string {
    return this.text
  }

  /** What is still held back (emit it when generation ended without a stop). */
  flush(): string {
    return this.take(this.text.length)
  }

  private take(until: number): string {
    const out = this.text.slice(this.emitted, Math.max(until, this.emitted))
    this.emitted = Math.max(until, this.emitted)
    return out
  }

  /** Length of the longest suffix of the text that is a proper prefix of some stop sequence. */
  private heldBack(): number {
    let held = 0
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, this.text.length); n > held; n--) {
        if (this.text.endsWith(s.slice(0, n))) {
          held = n
          break
        }
      }
    }
    return held
  }
}
