/**
 * The root of a Merkle-Patricia trie keyed by `RLP(index)` — a block's transactions and receipts
 * tries — computed in one pass over the sorted keys, the way geth's `DeriveSha` does, instead of one
 * `MerklePatriciaTrie.put` per item (each of which walks the trie and re-hashes its path, ~4% of
 * the node's CPU under a stream of transfers). The root equals the one ethereumjs's trie computes:
 * `test/chain/ordered-trie.test.ts` checks it against `genTransactionsTrieRoot` and `MPT.put`.
 */
import { RLP, type Input } from '@ethereumjs/rlp'
import { keccak256 } from '../crypto/native.js'

type Node = Input[]

/** Root of the trie mapping `RLP(i)` to `values[i]`. */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  if (values.length === 0) return keccak256(RLP.encode(new Uint8Array()))
  const items = values.map((value, i) => ({ key: nibbles(RLP.encode(i)), value }))
  // Sorted by key, as the trie orders them: groups under a branch are then contiguous.
  items.sort((a, b) => compareNibbles(a.key, b.key))
  return keccak256(RLP.encode(build(items, 0, items.length, 0)))
}

interface Item {
  key: number[]
  value: Uint8Array
}

/** The node holding items[from, to), whose keys all share their first `depth` nibbles. */
function build(items: Item[], from: number, to: number, depth: number): Node {
  const first = items[from]!
  if (to - from === 1) return [hexPrefix(first.key.slice(depth), true), first.value]
  // Keys are sorted, so the prefix all of them share is the one the first and last share.
  const last = items[to - 1]!
  let shared = 0
  while (depth + shared < first.key.length && depth + shared < last.key.length && first.key[depth + shared] === last.key[depth + shared]) shared++
  if (shared > 0) return [hexPrefix(first.key.slice(depth, depth + shared), false), reference(build(items, from, to, depth + shared))]
  const branch: Input[] = new Array<Input>(17).fill(new Uint8Array())
  let i = from
  // A key that ends here (a prefix of the others) keeps its value in the branch itself.
  if (first.key.length === depth) {
    branch[16] = first.value
    i++
  }
  while (i < to) {
    const nibble = items[i]!.key[depth]!
    let end = i + 1
    while (end < to && items[end]!.key[depth] === nibble) end++
    branch[nibble] = reference(build(items, i, end, depth + 1))
    i = end
  }
  return branch
}

/** How a node is referred to by its parent: inline when its encoding is shorter than a hash. */
function reference(node: Node): Input {
  const encoded = RLP.encode(node)
  return encoded.length < 32 ? node : keccak256(encoded)
}

function nibbles(bytes: Uint8Array): number[] {
  const out = new Array<number>(bytes.length * 2)
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = bytes[i]! >> 4
    out[2 * i + 1] = bytes[i]! & 0x0f
  }
  return out
}

/** Hex-prefix encoding of a partial key (Yellow Paper, appendix C). */
function hexPrefix(path: number[], leaf: boolean): Uint8Array {
  const odd = path.length % 2
  const out = new Uint8Array(Math.floor(path.length / 2) + 1)
  out[0] = ((leaf ? 2 : 0) + odd) << 4
  let at = 0
  if (odd) out[0]! |= path[at++]!
  for (let i = 1; i < out.length; i++) out[i] = (path[at++]! << 4) | path[at++]!
  return out
}

function compareNibbles(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}
