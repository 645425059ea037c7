/**
 * A tiny llama-architecture LLM built in code (GGUF, F32, ~0.5 MiB), so tests, the devnet and
 * benchmarks have a real model for llama.cpp without downloading one. Its weights are seeded
 * pseudo-random: it writes fluent nonsense, deterministically.
 *
 * Tokenizer: llama.cpp's SentencePiece ("llama") tokenizer over a small vocabulary — three control
 * tokens, the 256 byte-fallback tokens `<0x00>`…`<0xFF>` (so any UTF-8 text tokenizes) and a few
 * hundred word pieces. To make the nonsense readable, residual dimension 0 carries a constant that
 * no layer writes to, and `output.weight` reads it as a per-token bias: control and byte tokens are
 * never generated, so every answer is valid UTF-8 made of the vocabulary's words and punctuation.
 */
import { seededRandom } from './random.js'
import { writeGguf, type GgufTensor, type GgufValue } from './gguf-writer.js'

export interface TinyLlamaSpec {
  /** Residual width (multiple of `heads`). */
  embedding: number
  heads: number
  layers: number
  feedForward: number
  contextLength: number
  seed: number
}

export const TINY_LLAMA: TinyLlamaSpec = { embedding: 64, heads: 4, layers: 2, feedForward: 128, contextLength: 4096, seed: 8 }

/** SentencePiece marks a word start with U+2581 ("▁"). */
const SP = '\u2581'
const WORDS = (
  'the of and to a in is it you that he was for on are as with his they at be this have from or one had by word but not what all ' +
  'were we when your can said there use an each which she do how their if will up other about out many then them these so some her ' +
  'would make like him into time has look two more write go see number no way could people my than first water been call who oil ' +
  'its now find long down day did get come made may part chain block model node token proof answer question yes true false hello world'
).split(' ')
const PUNCTUATION = ['.', ',', '!', '?', ':', ';', "'", '"', '-', '(', ')', '{', '}', '[', ']', '/', '_', '<', '>', '|', '=']
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')

/** llama.cpp token types. */
const TYPE_NORMAL = 1
const TYPE_UNKNOWN = 2
const TYPE_CONTROL = 3
const TYPE_BYTE = 6

interface Vocabulary {
  tokens: string[]
  scores: number[]
  types: number[]
  /** Generation bias per token (read through residual dimension 0). */
  bias: number[]
}

function vocabulary(): Vocabulary {
  const v: Vocabulary = { tokens: [], scores: [], types: [], bias: [] }
  const add = (token: string, score: number, type: number, bias: number) => {
    v.tokens.push(token), v.scores.push(score), v.types.push(type), v.bias.push(bias)
  }
  add('<unk>', 0, TYPE_UNKNOWN, -30)
  add('<s>', 0, TYPE_CONTROL, -30)
  add('</s>', 0, TYPE_CONTROL, -30)
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, TYPE_BYTE, -30)
  // Higher scores win SentencePiece's merges: whole words before letters.
  add(SP, -1, TYPE_NORMAL, -4)
  WORDS.forEach((w, i) => add(SP + w, -2 - i / 1000, TYPE_NORMAL, 0))
  // SentencePiece builds a word by merging adjacent pieces, so every prefix of a word must be a piece too.
  const known = new Set(v.tokens)
  for (const w of WORDS) {
    for (let n = 1; n < w.length; n++) {
      const prefix = SP + w.slice(0, n)
      if (!known.has(prefix)) known.add(prefix), add(prefix, -4 - n / 100, TYPE_NORMAL, -3)
    }
  }
  PUNCTUATION.forEach((p, i) => add(p, -3 - i / 1000, TYPE_NORMAL, -1))
  LETTERS.forEach((l, i) => add(l, -5 - i / 1000, TYPE_NORMAL, -3))
  return v
}

/** Symmetric uniform weights of a given scale, from one seeded stream per model. */
function filler(random: () => number) {
  return (n: number, scale: number) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale)
}

/** Rows [first, rows) of a row-major [rows, cols] (ggml dims [cols, rows]) matrix kept; the others zeroed. */
function zeroRow(matrix: Float32Array, cols: number, row: number): Float32Array {
  matrix.fill(0, row * cols, (row + 1) * cols)
  return matrix
}

/**
 * The tiny model's GGUF bytes: same bytes on every machine for the same spec.
 *
 * @example
 * const bytes = buildTinyLlamaGguf() // → upload to the hub, run with node-llama-cpp
 */
export function buildTinyLlamaGguf(spec: TinyLlamaSpec = TINY_LLAMA): Uint8Array {
  const { embedding: d, layers, feedForward: ff } = spec
  const vocab = vocabulary()
  const n = vocab.tokens.length
  const fill = filler(seededRandom(spec.seed))
  const tensors: GgufTensor[] = []
  // Embeddings: dimension 0 is a constant 4 for every token (see the file comment).
  const embd = fill(n * d, 1)
  for (let t = 0; t < n; t++) embd[t * d] = 4
  tensors.push({ name: 'token_embd.weight', dims: [d, n], data: embd })
  const ones = () => new Float32Array(d).fill(1)
  for (let l = 0; l < layers; l++) {
    const scale = 1 / Math.sqrt(d)
    tensors.push({ name: `blk.${l}.attn_norm.weight`, dims: [d], data: ones() })
    tensors.push({ name: `blk.${l}.attn_q.weight`, dims: [d, d], data: fill(d * d, scale) })
    tensors.push({ name: `blk.${l}.attn_k.weight`, dims: [d, d], data: fill(d * d, scale) })
    tensors.push({ name: `blk.${l}.attn_v.weight`, dims: [d, d], data: fill(d * d, scale) })
    // Output projections never write residual dimension 0 (row 0 of a [out, in] matrix).
    tensors.push({ name: `blk.${l}.attn_output.weight`, dims: [d, d], data: zeroRow(fill(d * d, scale), d, 0) })
    tensors.push({ name: `blk.${l}.ffn_norm.weight`, dims: [d], data: ones() })
    tensors.push({ name: `blk.${l}.ffn_gate.weight`, dims: [d, ff], data: fill(d * ff, scale) })
    tensors.push({ name: `blk.${l}.ffn_up.weight`, dims: [d, ff], data: fill(d * ff, scale) })
    tensors.push({ name: `blk.${l}.ffn_down.weight`, dims: [ff, d], data: zeroRow(fill(ff * d, 1 / Math.sqrt(ff)), ff, 0) })
  }
  tensors.push({ name: 'output_norm.weight', dims: [d], data: ones() })
  // Logit of token t = h · W[t]; h[0] is about +1 after RMS norm, so W[t][0] acts as a bias.
  const out = fill(n * d, 3)
  for (let t = 0; t < n; t++) out[t * d] = vocab.bias[t]! * 2
  tensors.push({ name: 'output.weight', dims: [d, n], data: out })
  return writeGguf(metadata(spec, vocab), tensors)
}

function metadata(spec: TinyLlamaSpec, vocab: Vocabulary): Record<string, GgufValue> {
  const u32 = (value: number): GgufValue => ({ type: 'u32', value })
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'inferchain-tiny-llama' },
    'general.file_type': u32(0),
    'llama.context_length': u32(spec.contextLength),
    'llama.embedding_length': u32(spec.embedding),
    'llama.block_count': u32(spec.layers),
    'llama.feed_forward_length': u32(spec.feedForward),
    'llama.attention.head_count': u32(spec.heads),
    'llama.attention.head_count_kv': u32(spec.heads),
    'llama.rope.dimension_count': u32(spec.embedding / spec.heads),
    'llama.rope.freq_base': { type: 'f32', value: 10000 },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
    'llama.vocab_size': u32(vocab.tokens.length),
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'f32[]', value: vocab.scores },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: vocab.types },
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(2),
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
  }
}
