/**
 * The explorer in a real browser (playwright-core driving Debian's chromium, which `.ci/run`
 * installs): find a block with an inference, open its record, see who computed it and its
 * verification status; an OPTIMISTIC record's status turns from challengeable to final as blocks
 * pass, without a reload; new blocks appear live. Screenshots go to test-results/.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/sdk/chain.js'
import { runModel } from '../../src/sdk/inference.js'
import { modelInput } from '../../src/sdk/tensors.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { ROOT, startDevnet, type RunningDevnet } from '../integration/processes.js'

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p))
// CI installs chromium and sets INFERCHAIN_REQUIRE_BROWSER, so there a missing browser fails loudly.
if (!CHROMIUM && process.env.INFERCHAIN_REQUIRE_BROWSER) throw new Error('chromium is required (apt-get install chromium, or set CHROMIUM_PATH)')
const describeWithBrowser = CHROMIUM ? describe : describe.skip

let devnet: RunningDevnet
let browser: Browser
let requestId: string
let blockNumber: bigint

describeWithBrowser('explorer at /explorer', () => {
  beforeAll(async () => {
    // A 2-block challenge window and the producer's challenger: an honest OPTIMISTIC result is
    // final two blocks after its own, and finalized (paid) by the challenger.
    devnet = await startDevnet(['--challenge-window', '2', '--challenger'])
    const { publicClient, walletClient } = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[4]!.privateKey })
    const run = await runModel({ publicClient, walletClient: walletClient! }, { modelCid: devnet.info.demoModel.cid, input: modelInput({ input: { values: new Array(16).fill(0.3), shape: [1, 16] } }) })
    requestId = run.requestId
    blockNumber = run.receipt.blockNumber
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  })

  afterAll(async () => {
    await browser?.close()
    await devnet?.stop()
  })

  it('leads from the latest blocks to an inference record, its node, evidence and verification status', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${devnet.info.rpcUrl}/explorer`)
    await page.locator(`tr[data-block="${blockNumber}"]`).waitFor()
    expect(await page.locator('#node').textContent()).toMatch(/producer · head #\d+/)
    // The models and inference nodes the devnet registered are listed.
    await expect.poll(() => page.getByText(devnet.info.inferenceNodes[0]!).count()).toBe(1)
    // The devnet's inference node runs the dev enclave: its measurement is on the allowlist.
    expect(await page.locator('h2:has-text("Allowed TEE measurements") + ul li').count()).toBeGreaterThan(0)
    await page.locator(`tr[data-block="${blockNumber}"] a`).first().click()
    await page.getByRole('heading', { name: `Block #${blockNumber}` }).waitFor()
    await page.locator(`tr[data-record="${requestId}"] a`).first().click()
    await page.locator('.flow').waitFor()
    const text = await page.locator('main').textContent()
    expect(text).toContain(requestId)
    expect(text).toContain('VANILLA')
    expect(text).toContain('secp256k1 signature by the node’s registered key')
    expect(await page.locator('h1 .badge').getAttribute('data-status')).toBe('verified')
    mkdirSync(join(ROOT, 'test-results'), { recursive: true })
    await page.screenshot({ path: join(ROOT, 'test-results', 'explorer-record.png'), fullPage: true })
    expect(errors).toEqual([])
  })

  it('shows an OPTIMISTIC record as challengeable, then final once its window passes, without a reload; nodes with their stake', async () => {
    const { publicClient, walletClient } = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[6]!.privateKey })
    const run = await runModel(
      { publicClient, walletClient: walletClient! },
      { modelCid: devnet.info.demoModel.cid, mode: ModelInferenceMode.OPTIMISTIC, input: modelInput({ input: { values: new Array(16).fill(0.2), shape: [1, 16] } }) },
    )
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${devnet.info.rpcUrl}/explorer`)
    // Home: the claim waits for verification; the devnet's inference node is bonded (1 ETH) with it open.
    await page.locator(`h2:has-text("Awaiting verification") + table tr[data-record="${run.requestId}"] .badge[data-status="challengeable"]`).waitFor()
    const nodeRow = page.locator(`tr[data-node="${run.record.node!.toLowerCase()}"]`)
    expect(await nodeRow.locator('[data-stake]').textContent()).toContain('1 ETH')
    expect(await page.locator(`tr[data-model="${devnet.info.demoModel.cid}"]`).textContent()).toContain('OPTIMISTIC')
    // The record: its VCS flow as a picture, status challengeable; keyboard reaches the link to it.
    await page.locator(`h2:has-text("Awaiting verification") + table tr[data-record="${run.requestId}"] a`).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('img', { name: 'Who computed this result and who verified it' }).waitFor()
    const badge = page.locator('h1 .badge')
    expect(await badge.getAttribute('data-status')).toBe('challengeable')
    const flow = (await page.locator('.flow').textContent()) ?? ''
    expect(flow).toContain('challenge window open')
    expect(flow).toContain('a claim bonded by the node’s stake')
    // Two more blocks close the window: the page turns final by itself, and says so to screen readers.
    const sender = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[7]!.privateKey })
    for (let i = 0; i < 3; i++) {
      const hash = await sender.walletClient!.sendTransaction({ account: sender.walletClient!.account!, chain: sender.walletClient!.chain, to: devnet.info.accounts[8]!.address, value: 1n })
      await sender.publicClient.waitForTransactionReceipt({ hash })
    }
    await page.locator('h1 .badge[data-status="final"]').waitFor({ timeout: 20_000 })
    expect(await page.locator('#announce').textContent()).toContain('from challengeable to final')
    expect(await page.locator('.flow').getAttribute('data-status')).toBe('final')
    await page.screenshot({ path: join(ROOT, 'test-results', 'explorer-optimistic-final.png'), fullPage: true })
    expect(errors).toEqual([])
  })

  it('shows new blocks as they are made, without a reload, and finds things from the search box', async () => {
    const page = await browser.newPage()
    await page.goto(`${devnet.info.rpcUrl}/explorer`)
    await page.locator(`tr[data-block="${blockNumber}"]`).waitFor()
    const { publicClient, walletClient } = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[5]!.privateKey })
    const hash = await walletClient!.sendTransaction({ account: walletClient!.account!, chain: walletClient!.chain, to: devnet.info.accounts[6]!.address, value: 1n })
    const { blockNumber: next } = await publicClient.waitForTransactionReceipt({ hash })
    await page.locator(`tr[data-block="${next}"]`).waitFor({ timeout: 15_000 })
    await page.fill('#q', hash)
    await page.press('#q', 'Enter')
    await page.getByRole('heading', { name: 'Transaction', exact: true }).waitFor()
    expect(await page.locator('main').textContent()).toContain(hash)
    await page.fill('#q', requestId)
    await page.press('#q', 'Enter')
    await page.locator('.flow').waitFor()
  })
})
