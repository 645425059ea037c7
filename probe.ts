import { startHubServer } from './src/hub/server.js'
import { DiskModelStore } from './src/hub/store.js'
import { HubClient } from './src/hub/client.js'
import { buildDemoModel } from './src/models/index.js'
const hub = await startHubServer({ store: new DiskModelStore('/tmp/hubprobe'), port: 0 })
const bytes = buildDemoModel()
console.log(bytes.constructor.name, bytes.length)
const c = new HubClient(hub.url)
const { cid } = await c.upload(bytes)
const d = await c.download(cid)
console.log(d.constructor.name, d.length)
const r = await fetch(`${hub.url}/models/${cid}`, { headers: { range: 'bytes=10-19' } })
console.log(r.status, [...r.headers.entries()], (await r.arrayBuffer()).byteLength)
await hub.close()
