// The explorer: plain JavaScript reading this node's JSON-RPC (same origin), hash-routed views,
// live updates from `eth_subscribe newHeads` over WebSocket.
const view = document.getElementById('view')
const nodeLine = document.getElementById('node')
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

async function home() {
  const [blocks, models, nodes, measurements] = await Promise.all([recentBlocks(), rpc('inferchain_models'), rpc('inferchain_inferenceNodes'), rpc('inferchain_teeMeasurements')])
  const records = blocks.flatMap((b) => b.records)
  return `<h1>Latest blocks</h1>
    <table><thead><tr><th>block</th><th>hash</th><th>transactions</th><th>inferences</th><th>gas used</th><th>time</th></tr></thead><tbody>
    ${blocks.map(({ block, records }) => `<tr data-block="${num(block.number)}"><td>${link(`#/block/${num(block.number)}`, `#${num(block.number)}`, '')}</td><td class="mono">${esc(short(block.hash))}</td>
      <td>${block.transactions.length}</td><td>${records.length}</td><td>${num(block.gasUsed).toLocaleString()}</td><td>${ago(block.timestamp)}</td></tr>`).join('')}
    </tbody></table>
    <h2>Latest inferences</h2>${recordsTable(records)}
    <div class="grid"><section><h2>Models</h2>${models.length === 0 ? '<p class="muted">None registered.</p>' : `<table><thead><tr><th>model</th><th>modes</th><th>work units</th></tr></thead><tbody>
      ${models.map((m) => `<tr><td><span class="mono">${esc(short(m.cid))}</span> ${esc(m.name)}${m.isPrivate ? ' <span class="badge">private</span>' : ''}</td><td>${esc(m.modes.join(', '))}</td><td>${Number(m.workUnits).toLocaleString()}</td></tr>`).join('')}</tbody></table>`}</section>
    <section><h2>Inference nodes</h2>${nodes.length === 0 ? '<p class="muted">None registered.</p>' : `<table><thead><tr><th>node</th><th>endpoint</th><th>modes</th><th>enclave key</th><th>state</th></tr></thead><tbody>
      ${nodes.map((n) => `<tr><td class="mono">${esc(short(n.address))}</td><td class="mono">${esc(n.endpoint)}</td><td>${esc(n.modes.join(', '))}</td><td class="mono">${esc(n.enclaveKey ? short(n.enclaveKey) : '—')}</td><td>${badge(n.active ? 'ok' : 'inactive')}</td></tr>`).join('')}</tbody></table>`}
      <h2>Allowed TEE measurements</h2>${measurements.length === 0 ? '<p class="muted">None: no enclave is trusted.</p>' : `<ul>${measurements.map((m) => `<li class="mono">${esc(m)}</li>`).join('')}</ul>`}</section></div>`
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

const EVIDENCE = { 'vanilla-signature': 'secp256k1 signature by the node’s registered key', 'tee-attestation': 'attestation document (COSE_Sign1) from an allowed enclave', 'zk-proof': 'zero-knowledge proof against the model commitment', none: 'none (a failed call: the producer’s word)' }

async function recordPage(id) {
  const r = await rpc('inference_getRecord', [id])
  if (!r) return `<h1>Inference record</h1><p>${esc(id)} is not known to this node.</p>`
  const v = r.verification
  return `<h1>Inference record ${badge(v.status)}</h1>
    <div class="flow" aria-label="who computed this result and who verified it">
      <div class="step"><h3>1 · requested</h3>transaction ${link(`#/tx/${r.txHash}`, short(r.txHash))}, call ${r.callIndex}, asks model <span class="mono">${esc(short(r.modelCid))}</span> in mode <strong>${esc(r.mode)}</strong></div><div class="arrow" aria-hidden="true">→</div>
      <div class="step"><h3>2 · computed</h3>${r.node ? `inference node <span class="mono">${esc(short(r.node))}</span> ran the model once` : 'no result: the call failed'}</div><div class="arrow" aria-hidden="true">→</div>
      <div class="step"><h3>3 · evidence</h3>${esc(EVIDENCE[v.evidence] ?? v.evidence)}</div><div class="arrow" aria-hidden="true">→</div>
      <div class="step"><h3>4 · verified</h3>full nodes checked the evidence at import, without running the model: ${badge(v.status)}${v.reason ? ` <span class="muted">${esc(v.reason)}</span>` : ''}</div>
    </div>
    <dl class="kv"><dt>request id</dt><dd class="mono">${esc(r.requestId)}</dd><dt>block</dt><dd>${link(`#/block/${num(r.blockNumber)}`, `#${num(r.blockNumber)}`, '')}</dd>
    <dt>model</dt><dd class="mono">${esc(r.modelCid)}</dd><dt>mode</dt><dd>${esc(r.mode)}</dd><dt>input hash</dt><dd class="mono">${esc(r.inputHash)}</dd>
    <dt>output</dt><dd class="mono">${esc(outputText(r.output))}</dd><dt>output hash</dt><dd class="mono">${esc(r.outputHash ?? '—')}</dd>
    <dt>computed by</dt><dd class="mono">${esc(r.node ?? '—')}</dd><dt>signature</dt><dd class="mono">${esc(r.signature ?? '—')}</dd>
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
function render() {
  rendering = rendering.then(async () => {
    const hash = location.hash || '#/'
    for (const [pattern, page] of routes) {
      const m = hash.match(pattern)
      if (!m) continue
      try {
        const html = await page(m)
        view.innerHTML = html
        document.title = `${view.querySelector('h1')?.textContent ?? 'inferchain'} · inferchain explorer`
      } catch (err) {
        view.innerHTML = `<h1>Something went wrong</h1><p>${esc(err.message)}</p>`
      }
      return
    }
    view.innerHTML = '<h1>Not found</h1><p>Try a block number, a transaction hash or a request id.</p>'
  })
  return rendering
}

document.getElementById('search').addEventListener('submit', async (e) => {
  e.preventDefault()
  const q = new FormData(e.target).get('q').trim()
  if (/^\d+$/.test(q)) location.hash = `#/block/${q}`
  else if (/^0x[0-9a-fA-F]{64}$/.test(q)) location.hash = (await rpc('inference_getRecord', [q])) ? `#/record/${q}` : `#/tx/${q}`
})

window.addEventListener('hashchange', render)

// Live: every new head refreshes the status line and the current view (a record's status may change).
function live() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`)
  ws.addEventListener('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] })))
  ws.addEventListener('message', (e) => {
    if (JSON.parse(e.data).method !== 'eth_subscription') return
    showStatus().catch(() => {})
    render()
  })
  ws.addEventListener('close', () => setTimeout(live, 2000))
}

showStatus().catch((err) => (nodeLine.textContent = err.message))
render()
live()
