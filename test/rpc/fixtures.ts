/**
 * A small chain in a `MemoryBackend` behind a real RPC server on 127.0.0.1:0: every transaction
 * type, logs in two transactions of one block, a contract creation, a failed transaction, a
 * pending transaction, and empty blocks.
 */
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from '@ethereumjs/tx'
import { hexToBytes, privateToAddress, bytesToHex } from '@ethereumjs/util'
import { encodeAbiParameters, pad, toEventSelector, type Hex } from 'viem'
import { createEthMethods } from '../../src/rpc/methods/eth.js'
import { createFilterMethods } from '../../src/rpc/methods/filters.js'
import { createNetMethods } from '../../src/rpc/methods/net.js'
import { createWeb3Methods } from '../../src/rpc/methods/web3.js'
import { startRpcServer, type RpcServer } from '../../src/rpc/server.js'
import type { LogTuple } from '../../src/rpc/types.js'
import { MemoryBackend } from './memory-backend.js'

export const KEYS = [1, 2, 3].map((i) => hexToBytes(`0x${i.toString(16).padStart(2, '0').repeat(32)}`))
export const ADDRESSES = KEYS.map((k) => bytesToHex(privateToAddress(k)) as Hex)
export const TOKEN: Hex = '0x00000000000000000000000000000000000070ce'
export const CREATED: Hex = '0x0000000000000000000000000000000000c0ffee'
export const TRANSFER = toEventSelector('event Transfer(address indexed from, address indexed to, uint256 value)')
export const APPROVAL = toEventSelector('event Approval(address indexed owner, address indexed spender, uint256 value)')

export function transferLog(from: Hex, to: Hex, value: bigint, token: Hex = TOKEN): LogTuple {
  return [hexToBytes(token), [TRANSFER, pad(from), pad(to)].map((t) => hexToBytes(t)), hexToBytes(encodeAbiParameters([{ type: 'uint256' }], [value]))]
}

export interface Scenario {
  legacy: TypedTransaction
  accessList: TypedTransaction
  feeMarket: TypedTransaction
  creation: TypedTransaction
  failed: TypedTransaction
  pending: TypedTransaction
}

export interface TestNode {
  backend: MemoryBackend
  server: RpcServer
  scenario: Scenario
  /** Every -32603 / route crash the server reported. */
  internalErrors: unknown[]
  rpc(method: string, params?: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }>
  close(): Promise<void>
}

/** Blocks: 0 genesis; 1 legacy + 2930 (one Transfer log) + 1559 (two Transfer logs); 2 creation + failed tx; 3, 4 empty. */
export function buildScenario(backend: MemoryBackend): Scenario {
  const common = backend.common
  const [a, b, c] = ADDRESSES as [Hex, Hex, Hex]
  const legacy = createLegacyTx({ nonce: 0n, to: b, value: 5n, gasLimit: 21_000n, gasPrice: 3_000_000_000n }, { common }).sign(KEYS[0]!)
  const accessList = createAccessList2930Tx(
    { nonce: 0n, to: c, value: 1n, gasLimit: 30_000n, gasPrice: 2_000_000_000n, accessList: [{ address: TOKEN, storageKeys: [pad('0x01')] }] },
    { common },
  ).sign(KEYS[1]!)
  const feeMarket = createFeeMarket1559Tx(
    { nonce: 1n, to: TOKEN, gasLimit: 80_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n, data: '0xa9059cbb' },
    { common },
  ).sign(KEYS[0]!)
  backend.mine([
    { tx: legacy },
    { tx: accessList, gasUsed: 25_000n, logs: [transferLog(b, c, 1n)] },
    { tx: feeMarket, gasUsed: 50_000n, logs: [transferLog(a, b, 100n), transferLog(a, c, 7n)] },
  ])
  const creation = createFeeMarket1559Tx(
    { nonce: 0n, gasLimit: 200_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, data: '0x6080604052' },
    { common },
  ).sign(KEYS[2]!)
  const failed = createFeeMarket1559Tx(
    { nonce: 2n, to: TOKEN, gasLimit: 60_000n, maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 3_000_000_000n },
    { common },
  ).sign(KEYS[0]!)
  const approval: LogTuple = [hexToBytes(CREATED), [APPROVAL, pad(c), pad(a)].map((t) => hexToBytes(t)), new Uint8Array(32)]
  backend.mine([
    { tx: creation, gasUsed: 120_000n, contractAddress: CREATED, logs: [approval] },
    { tx: failed, gasUsed: 40_000n, status: 0 },
  ])
  backend.mine([])
  backend.mine([])
  const pending = createFeeMarket1559Tx(
    { nonce: 1n, to: a, value: 9n, gasLimit: 21_000n, maxFeePerGas: 4_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n },
    { common },
  ).sign(KEYS[1]!)
  backend.pending.set(bytesToHex(pending.hash()), pending)
  backend.balances.set(a, 10n ** 18n)
  return { legacy, accessList, feeMarket, creation, failed, pending }
}

/** The scenario chain behind a real HTTP/WS server. */
export async function startTestNode(options: { maxBodyBytes?: number } = {}): Promise<TestNode> {
  const backend = new MemoryBackend()
  const scenario = buildScenario(backend)
  const internalErrors: unknown[] = []
  const server = await startRpcServer({
    methods: { ...createEthMethods(backend), ...createFilterMethods(backend), ...createNetMethods(backend), ...createWeb3Methods(backend) },
    backend,
    maxBodyBytes: options.maxBodyBytes,
    onInternalError: (err) => internalErrors.push(err),
  })
  return {
    backend,
    server,
    scenario,
    internalErrors,
    async rpc(method, params = []) {
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
      return (await res.json()) as never
    },
    close: () => server.close(),
  }
}
