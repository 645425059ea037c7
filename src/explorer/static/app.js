// The explorer: plain JavaScript reading this node's JSON-RPC (same origin), hash-routed views,
// live updates from `eth_subscribe newHeads` over WebSocket (polling when the socket is down).
const view = document.getElementById('view')
const nodeLine = document.getElementById('node')
const announcer = document.getElementById('announce')
const BLOCKS_ON_HOME = 15

async function rpc(method, params = []) {
  const res = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = await res.json()
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
const num = (hex) => Number(BigInt(hex))
const short = (h) => (h && h.length > 18 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h ?? '')
const ago = (ts) => { const s = Math.max(0, Math.round(Date.now() / 1000 - num(ts))); return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : new Date(num(ts) * 1000).toLocaleString() }
const badge = (status) => `<span class="badge ${esc(status)}" data-status="${esc(status)}">${esc(status)}</span>`
const link = (href, text, cls = 'mono') => `<a class="${cls}" href="${esc(href)}">${esc(text)}</a>`
const value = (v) => Number(`${v.value}e-${v.decimals}`)
const eth = (wei) => { const w = BigInt(wei); return w === 0n ? '0 ETH' : `${(Number(w / 10n ** 9n) / 1e9).toLocaleString(undefined, { maximumFractionDigits: 9 })} ETH` }

function outputText(output) {
  if (!output) return '—'
  const parts = output.numbers.map((t) => `${t.name}[${t.shape}] = ${t.values.slice(0, 6).map(value).join(', ')}${t.values.length > 6 ? ', …' : ''}`)
  for (const t of output.strings) parts.push(`${t.name} = ${JSON.stringify(t.values.slice(0, 4))}`)
  for (const j of output.jsons) parts.push(`${j.name} = ${j.value.slice(0, 80)}`)
  return parts.join('; ')
}

async function showStatus() {
  const s = await rpc('inferchain_nodeStatus')
  nodeLine.textContent = `${s.role} · head #${num(s.head)} · ${s.peers} peer${s.peers === 1 ? '' : 's'}`
}

async function recentBlocks() {
  const head = num(await rpc('eth_blockNumber'))
  const numbers = Array.from({ length: Math.min(BLOCKS_ON_HOME, head + 1) }, (_, i) => head - i)
  return Promise.all(numbers.map(async (n) => {
    const hex = `0x${n.toString(16)}`
    const [block, records] = await Promise.all([rpc('eth_getBlockByNumber', [hex, false]), rpc('inference_getRecordsByBlock', [hex])])
    return { block, records: records ?? [] }
  }))
}

function recordRows(records) {
  return records.map((r) => `<tr data-record="${esc(r.requestId)}">
    <td>${link(`#/record/${r.requestId}`, short(r.requestId))}</td>
    <td>${link(`#/block/${num(r.blockNumber)}`, `#${num(r.blockNumber)}`, '')}</td>
    <td class="mono">${esc(short(r.modelCid))}</td>
    <td>${esc(r.mode)}</td>
    <td class="mono">${esc(short(r.node ?? '—'))}</td>
    <td>${badge(r.verification.status)}</td></tr>`).join('')
}

const recordsTable = (records) => records.length === 0
  ? '<p class="muted">No inferences yet.</p>'
  : `<table><thead><tr><th>request</th><th>block</th><th>model</th><th>mode</th><th>computed by</th><th>verification</th></tr></thead><tbody>${recordRows(records)}</tbody></table>`

const prices = (m) => Object.entries(m.prices ?? {}).map(([mode, wei]) => `${esc(mode)} ${esc(eth(wei))}`).join('<br>') || esc(eth(m.pricePerInference))

/** The measurement (PCR0) each node's latest TEE attestation among `records` carries. */
async function attestedMeasurements(records) {
  const latest = new Map()
  for (const r of records) if (r.mode === 'TEE' && r.node && r.attestation && !latest.has(r.node.toLowerCase())) latest.set(r.node.toLowerCase(), r.requestId)
  const entries = await Promise.all([...latest].map(async ([node, id]) => [node, await rpc('inferchain_attestation', [id]).catch(() => null)]))
  return new Map(entries)
}

function measurementCell(a) {
  if (!a?.measurement) return '<span class="muted">no TEE result seen recently</span>'
  return `<span class="mono">${esc(short(a.measurement))}</span> ${badge(a.measurementAllowed ? 'allowed' : 'not allowed')}`
}

function awaiting(open) {
  const proofs = open.pendingProofs.map((p) => `<tr data-record="${esc(p.requestId)}"><td>${link(`#/record/${p.requestId}`, short(p.requestId))}</td><td>ZK</td><td class="mono">${esc(short(p.node ?? '—'))}</td><td>${badge('pending')}</td><td>proof due by block #${num(p.dueBlock)}</td></tr>`)
  const claims = open.openClaims.map((c) => `<tr data-record="${esc(c.requestId)}"><td>${link(`#/record/${c.requestId}`, short(c.requestId))}</td><td>OPTIMISTIC</td><td class="mono">${esc(short(c.node ?? '—'))}</td><td>${badge(c.status)}</td><td>${c.status === 'challengeable' ? `challengeable until block #${num(c.windowEnd)}` : 'window passed; awaiting finalize'}</td></tr>`)
  if (proofs.length + claims.length === 0) return '<p class="muted">Nothing: no ZK proof is pending and no OPTIMISTIC claim is open.</p>'
  return `<table><caption class="visually-hidden">Records whose verification is not settled yet</caption><thead><tr><th>request</th><th>mode</th><th>node</th><th>status</th><th>until</th></tr></thead><tbody>${proofs.join('')}${claims.join('')}</tbody></table>`
}

async function home() {
  const [blocks, models, nodes, measurements, open] = await Promise.all([recentBlocks(), rpc('inferchain_models'), rpc('inferchain_inferenceNodes'), rpc('inferchain_teeMeasurements'), rpc('inferchain_openVerifications')])
  const records = blocks.flatMap((b) => b.records)
  const attested = await attestedMeasurements(records)
  return `<h1>Latest blocks</h1>
    <table><thead><tr><th>block</th><th>hash</th><th>transactions</th><th>inferences</th><th>gas used</th><th>time</th></tr></thead><tbody>
    ${blocks.map(({ block, records }) => `<tr data-block="${num(block.number)}"><td>${link(`#/block/${num(block.number)}`, `#${num(block.number)}`, '')}</td><td class="mono">${esc(short(block.hash))}</td>
      <td>${block.transactions.length}</td><td>${records.length}</td><td>${num(block.gasUsed).toLocaleString()}</td><td>${ago(block.timestamp)}</td></tr>`).join('')}
    </tbody></table>
    <h2>Awaiting verification</h2>${awaiting(open)}
    <h2>Latest inferences</h2>${recordsTable(records)}
    <section><h2>Models</h2>${models.length === 0 ? '<p class="muted">None registered.</p>' : `<table><thead><tr><th>model</th><th>modes</th><th>price per inference</th><th>work units</th></tr></thead><tbody>
      ${models.map((m) => `<tr data-model="${esc(m.cid)}"><td><span class="mono">${esc(short(m.cid))}</span> ${esc(m.name)}${m.isPrivate ? ' <span class="badge">private</span>' : ''}</td><td>${esc(m.modes.join(', '))}</td><td>${prices(m)}</td><td>${Number(m.workUnits).toLocaleString()}</td></tr>`).join('')}</tbody></table>`}</section>
    <section><h2>Inference nodes</h2>${nodes.length === 0 ? '<p class="muted">None registered.</p>' : `<table><thead><tr><th>node</th><th>endpoint</th><th>modes</th><th>stake bonded</th><th>open claims</th><th>enclave key</th><th>TEE measurement (latest attestation)</th><th>state</th></tr></thead><tbody>
      ${nodes.map((n) => `<tr data-node="${esc(n.address.toLowerCase())}"><td class="mono">${esc(short(n.address))}</td><td class="mono">${esc(n.endpoint)}</td><td>${esc(n.modes.join(', '))}</td>
        <td data-stake>${n.stake ? esc(eth(n.stake.bonded)) : '—'}${n.stake && BigInt(n.stake.unbonding) > 0n ? ` <span class="muted">(${esc(eth(n.stake.unbonding))} unbonding)</span>` : ''}</td><td>${n.stake ? n.stake.openClaims : '—'}</td>
        <td class="mono">${esc(n.enclaveKey ? short(n.enclaveKey) : '—')}</td><td>${measurementCell(attested.get(n.address.toLowerCase()))}</td><td>${badge(n.active ? 'ok' : 'inactive')}</td></tr>`).join('')}</tbody></table>`}</section>
      <section><h2>Allowed TEE measurements</h2>${measurements.length === 0 ? '<p class="muted">None: no enclave is trusted.</p>' : `<ul>${measurements.map((m) => `<li class="mono">${esc(m)}</li>`).join('')}</ul>`}</section>`
}

async function blockPage(n) {
  const hex = `0x${Number(n).toString(16)}`
  const [block, records] = await Promise.all([rpc('eth_getBlockByNumber', [hex, true]), rpc('inference_getRecordsByBlock', [hex])])
  if (!block) return `<h1>Block #${esc(n)}</h1><p>Not found on this node.</p>`
  return `<h1>Block #${num(block.number)}</h1>
    <dl class="kv"><dt>hash</dt><dd class="mono">${esc(block.hash)}</dd><dt>parent</dt><dd>${num(block.number) > 0 ? link(`#/block/${num(block.number) - 1}`, block.parentHash) : '—'}</dd>
    <dt>time</dt><dd>${ago(block.timestamp)}</dd><dt>sealer</dt><dd class="mono">${esc(block.miner)}</dd><dt>state root</dt><dd class="mono">${esc(block.stateRoot)}</dd>
    <dt>records commitment</dt><dd class="mono">${esc(block.extraData === '0x' ? 'none (no inferences)' : block.extraData)}</dd><dt>gas used</dt><dd>${num(block.gasUsed).toLocaleString()}</dd></dl>
    <h2>Transactions (${block.transactions.length})</h2>
    ${block.transactions.length === 0 ? '<p class="muted">None.</p>' : `<table><thead><tr><th>hash</th><th>from</th><th>to</th></tr></thead><tbody>${block.transactions.map((t) => `<tr><td>${link(`#/tx/${t.hash}`, short(t.hash))}</td><td class="mono">${esc(short(t.from))}</td><td class="mono">${esc(short(t.to ?? 'contract creation'))}</td></tr>`).join('')}</tbody></table>`}
    <h2>Inference records (${records.length})</h2>${recordsTable(records)}`
}

async function txPage(hash) {
  const [tx, receipt, records] = await Promise.all([rpc('eth_getTransactionByHash', [hash]), rpc('eth_getTransactionReceipt', [hash]), rpc('inference_getRecordsByTransaction', [hash])])
  if (!tx) return `<h1>Transaction</h1><p>${esc(hash)} is not known to this node.</p>`
  return `<h1>Transaction</h1>
    <dl class="kv"><dt>hash</dt><dd class="mono">${esc(tx.hash)}</dd><dt>block</dt><dd>${tx.blockNumber ? link(`#/block/${num(tx.blockNumber)}`, `#${num(tx.blockNumber)}`, '') : 'pending'}</dd>
    <dt>from</dt><dd class="mono">${esc(tx.from)}</dd><dt>to</dt><dd class="mono">${esc(tx.to ?? 'contract creation')}</dd>
    <dt>status</dt><dd>${receipt ? badge(receipt.status === '0x1' ? 'ok' : 'failed') : 'pending'}</dd><dt>gas used</dt><dd>${receipt ? num(receipt.gasUsed).toLocaleString() : '—'}</dd></dl>
    <h2>Inferences made by this transaction (${records.length})</h2>${recordsTable(records)}`
}

const EVIDENCE = {
  'vanilla-signature': 'secp256k1 signature by the node’s registered key',
  'tee-attestation': 'attestation document (COSE_Sign1) from an allowed enclave',
  'zk-proof': 'zero-knowledge proof against the model commitment',
  'bonded-claim': 'a claim bonded by the node’s stake, open to challenge',
  none: 'none (a failed call: the producer’s word)',
}

/** Who verifies a record, and how far that has got: the last step of the flow. */
function stage(r) {
  const v = r.verification
  if (r.status === 'error') return { who: 'nobody: the call failed', detail: v.reason ?? '' }
  switch (v.status) {
    case 'pending': return { who: 'proof pending', detail: `due by block #${num(v.dueBlock)}; every full node verifies it when it arrives` }
    case 'challengeable': return { who: 'challenge window open', detail: `until block #${num(v.windowEnd)}: any full node may re-run the model and challenge` }
    case 'final': return { who: 'window passed unchallenged', detail: v.settled ? 'final; the fee was paid to the node' : 'final; awaiting finalize to pay the node' }
    case 'upheld': return { who: 'challenged and upheld', detail: 'the chain re-ran the model and got the same output' }
    case 'proven': return { who: 'proven by a ZK proof', detail: 'the claim was closed early with a Groth16 proof of its output' }
    case 'fraudulent': return { who: 'proven fraudulent', detail: 'the chain re-ran the model and got another output: the node was slashed' }
    case 'failed': return { who: r.mode === 'ZK' ? 'proof failed' : 'rejected', detail: v.reason ?? '' }
    case 'verified': return r.mode === 'ZK'
      ? { who: 'proof verified on chain', detail: 'by ZkInferences, and by every full node importing it' }
      : { who: 'every full node at import', detail: 'checked the evidence without running the model' }
    default: return { who: v.status, detail: v.reason ?? '' }
  }
}

/** Words into lines of at most `width` characters (SVG text does not wrap). */
function wrap(text, width) {
  const lines = ['']
  for (const word of String(text).split(/\s+/)) {
    const line = lines[lines.length - 1]
    if (line && line.length + 1 + word.length > width) lines.push(word)
    else lines[lines.length - 1] = line ? `${line} ${word}` : word
  }
  return lines
}

const COLOURS = { verified: 'ok', final: 'ok', upheld: 'ok', proven: 'ok', pending: 'warn', challengeable: 'warn', failed: 'bad', fraudulent: 'bad' }

/** The VCS flow of one record as an inline SVG: requested → computed → evidence → verified. */
function flowPicture(r) {
  const v = r.verification
  const s = stage(r)
  const boxes = [
    ['1 · requested', [`tx ${short(r.txHash)}`, `call ${r.callIndex}, mode ${r.mode}`]],
    ['2 · computed', r.node ? ['by inference node', short(r.node)] : ['no result:', 'the call failed']],
    ['3 · evidence', wrap(EVIDENCE[v.evidence] ?? v.evidence, 26).slice(0, 3)],
    ['4 · verified', [...wrap(s.who, 26).slice(0, 2), v.status]],
  ]
  const W = 220, GAP = 40, H = 110
  const parts = boxes.map(([title, lines], i) => {
    const x = i * (W + GAP)
    const last = i === boxes.length - 1
    return `<g class="box${last ? ` ${COLOURS[v.status] ?? ''}` : ''}"><rect x="${x + 1}" y="1" width="${W}" height="${H}" rx="8"/>
      <text x="${x + 12}" y="24" class="title">${esc(title)}</text>
      ${lines.map((l, j) => `<text x="${x + 12}" y="${50 + j * 20}"${last && j === lines.length - 1 ? ' class="status"' : ''}>${esc(l)}</text>`).join('')}</g>
      ${last ? '' : `<path d="M${x + W + 6} ${H / 2} h${GAP - 14}" class="arrow" marker-end="url(#head)"/>`}`
  })
  const label = `Computed by ${r.node ? `inference node ${r.node}` : 'no node'} in mode ${r.mode}; evidence: ${EVIDENCE[v.evidence] ?? v.evidence}; verification: ${s.who} (${v.status}). ${s.detail}`
  return `<figure class="flow" data-status="${esc(v.status)}">
    <svg viewBox="0 0 ${4 * W + 3 * GAP + 2} ${H + 2}" role="img" aria-labelledby="flow-title flow-desc" preserveAspectRatio="xMinYMin meet">
      <title id="flow-title">Who computed this result and who verified it</title><desc id="flow-desc">${esc(label)}</desc>
      <defs><marker id="head" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10z"/></marker></defs>
      ${parts.join('')}
    </svg>
    <figcaption>${esc(s.who)}: ${badge(v.status)} ${esc(s.detail)}</figcaption>
  </figure>`
}

/** Mode-specific facts of a record's verification (deadline, window, fee, enclave). */
async function verificationFacts(r) {
  const v = r.verification
  const rows = [`<dt>verification</dt><dd>${badge(v.status)} <span class="muted">${esc(EVIDENCE[v.evidence] ?? v.evidence)}</span></dd>`]
  if (v.dueBlock) rows.push(`<dt>proof due by</dt><dd>block #${num(v.dueBlock)}</dd>`)
  if (v.windowEnd) rows.push(`<dt>challenge window</dt><dd>until block #${num(v.windowEnd)}</dd>`)
  if (v.fee !== undefined) rows.push(`<dt>fee held</dt><dd>${esc(eth(v.fee))} ${v.settled ? '(settled)' : '(until the claim settles)'}</dd>`)
  if (v.reason) rows.push(`<dt>reason</dt><dd>${esc(v.reason)}</dd>`)
  if (r.attestation) {
    const a = await rpc('inferchain_attestation', [r.requestId]).catch(() => null)
    if (a) rows.push(`<dt>enclave measurement</dt><dd><span class="mono">${esc(a.measurement ?? '—')}</span> ${badge(a.measurementAllowed ? 'allowed' : 'not allowed')}</dd><dt>enclave module</dt><dd class="mono">${esc(a.moduleId)}</dd>`)
  }
  return rows.join('')
}

async function recordPage(id) {
  const r = await rpc('inference_getRecord', [id])
  if (!r) return `<h1>Inference record</h1><p>${esc(id)} is not known to this node.</p>`
  const v = r.verification
  return `<h1>Inference record ${badge(v.status)}</h1>
    ${flowPicture(r)}
    <dl class="kv"><dt>request id</dt><dd class="mono">${esc(r.requestId)}</dd><dt>block</dt><dd>${link(`#/block/${num(r.blockNumber)}`, `#${num(r.blockNumber)}`, '')}</dd>
    <dt>transaction</dt><dd>${link(`#/tx/${r.txHash}`, r.txHash)} (call ${r.callIndex})</dd>
    <dt>model</dt><dd class="mono">${esc(r.modelCid)}</dd><dt>mode</dt><dd>${esc(r.mode)}</dd><dt>input hash</dt><dd class="mono">${esc(r.inputHash)}</dd>
    <dt>output</dt><dd class="mono">${esc(outputText(r.output))}</dd><dt>output hash</dt><dd class="mono">${esc(r.outputHash ?? '—')}</dd>
    <dt>computed by</dt><dd class="mono">${esc(r.node ?? '—')}</dd><dt>signature</dt><dd class="mono">${esc(r.signature ?? '—')}</dd>
    ${await verificationFacts(r)}
    ${r.attestation ? `<dt>attestation</dt><dd class="mono">${esc(short(r.attestation))} (${(r.attestation.length - 2) / 2} bytes)</dd>` : ''}
    ${r.error ? `<dt>error</dt><dd>${esc(r.error.code)}: ${esc(r.error.reason)}</dd>` : ''}</dl>`
}

const routes = [
  [/^#?\/?$/, () => home()],
  [/^#\/block\/(\d+)$/, (m) => blockPage(m[1])],
  [/^#\/tx\/(0x[0-9a-fA-F]{64})$/, (m) => txPage(m[1])],
  [/^#\/record\/(0x[0-9a-fA-F]{64})$/, (m) => recordPage(m[1])],
]

let rendering = Promise.resolve()
let shown = ''

/**
 * Replaces the view only when its content changed (a live refresh must not steal focus or scroll),
 * puts keyboard focus back on the link it was on, and announces a record's new status.
 */
function show(html, live) {
  if (html === shown) return
  const before = view.querySelector('h1 .badge')?.dataset.status
  const focused = document.activeElement && view.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null
  shown = html
  view.innerHTML = html
  document.title = `${view.querySelector('h1')?.textContent?.trim() ?? 'inferchain'} · inferchain explorer`
  if (focused) view.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus()
  const after = view.querySelector('h1 .badge')?.dataset.status
  if (live && before && after && before !== after) announcer.textContent = `Verification status changed from ${before} to ${after}`
}

function render(live = false) {
  rendering = rendering.then(async () => {
    const hash = location.hash || '#/'
    for (const [pattern, page] of routes) {
      const m = hash.match(pattern)
      if (!m) continue
      try {
        show(await page(m), live)
      } catch (err) {
        show(`<h1>Something went wrong</h1><p>${esc(err.message)}</p>`, live)
      }
      return
    }
    show('<h1>Not found</h1><p>Try a block number, a transaction hash or a request id.</p>', live)
  })
  return rendering
}

document.getElementById('search').addEventListener('submit', async (e) => {
  e.preventDefault()
  const q = new FormData(e.target).get('q').trim()
  if (/^\d+$/.test(q)) location.hash = `#/block/${q}`
  else if (/^0x[0-9a-fA-F]{64}$/.test(q)) location.hash = (await rpc('inference_getRecord', [q])) ? `#/record/${q}` : `#/tx/${q}`
})

window.addEventListener('hashchange', () => render())

// Live: every new head refreshes the status line and the current view (a record's status changes
// with later blocks: a proof lands, a challenge window passes). While the WebSocket is down, poll.
let socketOpen = false
let lastHead = null
function onHead() {
  showStatus().catch(() => {})
  render(true)
}
function live() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`)
  ws.addEventListener('open', () => {
    socketOpen = true
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
  })
  ws.addEventListener('message', (e) => {
    if (JSON.parse(e.data).method === 'eth_subscription') onHead()
  })
  ws.addEventListener('close', () => {
    socketOpen = false
    setTimeout(live, 2000)
  })
}
setInterval(async () => {
  if (socketOpen) return
  const head = await rpc('eth_blockNumber').catch(() => null)
  if (head !== null && head !== lastHead) {
    lastHead = head
    onHead()
  }
}, 3000)

showStatus().catch((err) => (nodeLine.textContent = err.message))
render()
live()
