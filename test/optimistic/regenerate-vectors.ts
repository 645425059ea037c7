/**
 * Rewrites test/fixtures/optimistic/vectors.json from the reference executor. Run by hand only,
 * after an intended change of the canonical semantics, a pinned model or its inputs — never in CI:
 * the file is the record of what the canonical path *must* output, and regenerating it blindly would
 * hide exactly the drift the vectors test exists to catch. Review the diff before committing it.
 *
 *     npx tsx test/optimistic/regenerate-vectors.ts
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { computeVectorFile, formatVectorFile, VECTORS_FILE } from './vectors.js'

const file = computeVectorFile()
writeFileSync(VECTORS_FILE, formatVectorFile(file))
const count = file.models.reduce((n, m) => n + m.vectors.length, 0)
console.log(`wrote ${count} vectors for ${file.models.length} models to ${fileURLToPath(VECTORS_FILE)}`)
