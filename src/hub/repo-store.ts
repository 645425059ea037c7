/**
 * Repositories, their releases and file lists: one JSON document per repository
 * (`<dir>/<name>.json`, written to a temp file and renamed), all held in memory as well, since the
 * hub is one process. Changes to one repository are serialized by a lock; an upload reserves its
 * file name first, so that two uploads of different bytes under one name cannot both succeed.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { HubError } from './errors.js'
import { compareVersions, FIRST_VERSION, nextVersion, type CreateRepositoryBody } from './names.js'
import type { Repository, RepositoryFile, RepositoryVersion } from './types.js'

export class RepositoryStore {
  private readonly repos = new Map<string, Repository>()
  private readonly locks = new Map<string, Promise<unknown>>()
  /** `repo/version/file` → CID of uploads in flight. */
  private readonly reserved = new Map<string, { cid: string; count: number }>()

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true })
    for (const entry of readdirSync(dir)) {
      if (!entry.endsWith('.json')) continue
      const repo = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as Repository
      this.repos.set(repo.name, repo)
    }
  }

  /** A copy of repository `name`. @throws HubError `REPOSITORY_NOT_FOUND` */
  get(name: string): Repository {
    const repo = this.repos.get(name)
    if (!repo) throw new HubError('REPOSITORY_NOT_FOUND', `no repository ${name}`, { details: { name } })
    return structuredClone(repo)
  }

  /** Every repository, sorted by name (copies). */
  list(): Repository[] {
    return [...this.repos.keys()].sort().map((name) => this.get(name))
  }

  /** The repositories that hold a file with content `cid`. */
  holdersOf(cid: string): Repository[] {
    return this.list().filter((r) => r.versions.some((v) => v.files.some((f) => f.cid === cid)))
  }

  /** Creates a repository with its first release, `1.00`. @throws HubError `REPOSITORY_EXISTS` */
  create(body: CreateRepositoryBody, owner: string): Promise<Repository> {
    return this.locked(body.name, async () => {
      if (this.repos.has(body.name)) throw new HubError('REPOSITORY_EXISTS', `repository ${body.name} exists`, { details: { name: body.name } })
      const now = new Date().toISOString()
      const repo: Repository = { ...body, owner, createdAt: now, versions: [{ version: FIRST_VERSION, createdAt: now, files: [] }] }
      await this.save(repo)
      return structuredClone(repo)
    })
  }

  /**
   * Adds a release: `version`, or the next minor after the latest. It must be newer than every
   * existing one, so that "latest" never moves backwards.
   *
   * @throws HubError `REPOSITORY_NOT_FOUND`, `VERSION_EXISTS`, `BAD_REQUEST` (older than the latest)
   */
  createVersion(name: string, version: string | undefined): Promise<RepositoryVersion> {
    return this.locked(name, async () => {
      const repo = this.get(name)
      const latest = repo.versions.at(-1)!.version
      const wanted = version ?? nextVersion(latest)
      if (repo.versions.some((v) => v.version === wanted)) throw new HubError('VERSION_EXISTS', `${name} already has version ${wanted}`, { details: { name, version: wanted } })
      if (compareVersions(wanted, latest) < 0) throw new HubError('BAD_REQUEST', `version ${wanted} is older than the latest, ${latest}`, { details: { name, version: wanted, latest } })
      const release: RepositoryVersion = { version: wanted, createdAt: new Date().toISOString(), files: [] }
      repo.versions.push(release)
      await this.save(repo)
      return structuredClone(release)
    })
  }

  /** Release `version` of `name` (a copy). @throws HubError `REPOSITORY_NOT_FOUND`, `VERSION_NOT_FOUND` */
  version(name: string, version: string): RepositoryVersion {
    const release = this.get(name).versions.find((v) => v.version === version)
    if (!release) throw new HubError('VERSION_NOT_FOUND', `${name} has no version ${version}`, { details: { name, version } })
    return release
  }

  /**
   * Reserves `file` in a release for an upload of `cid`. Uploads of the same bytes may share a
   * reservation; other bytes under a taken name are refused before any byte is read.
   *
   * @throws HubError `VERSION_NOT_FOUND`, `FILE_EXISTS`
   * @returns a function that ends the reservation (call it once the upload succeeded or failed)
   */
  reserve(name: string, version: string, file: string, cid: string): { release(): void } {
    const present = this.version(name, version).files.find((f) => f.name === file)
    const key = `${name}/${version}/${file}`
    const pending = this.reserved.get(key)
    const other = present?.cid !== undefined && present.cid !== cid ? present.cid : pending && pending.cid !== cid ? pending.cid : undefined
    if (other !== undefined) {
      throw new HubError('FILE_EXISTS', `${name} ${version} already has ${file} with other content (${other}); published files never change`, { details: { name, version, file, cid: other } })
    }
    this.reserved.set(key, { cid, count: (pending?.count ?? 0) + 1 })
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        const entry = this.reserved.get(key)!
        if (--entry.count === 0) this.reserved.delete(key)
      },
    }
  }

  /** Publishes an uploaded file in a release (idempotent for the same bytes). */
  addFile(name: string, version: string, file: Omit<RepositoryFile, 'uploadedAt'>): Promise<{ file: RepositoryFile; created: boolean }> {
    return this.locked(name, async () => {
      const repo = this.get(name)
      const release = repo.versions.find((v) => v.version === version)!
      const present = release.files.find((f) => f.name === file.name)
      if (present) return { file: present, created: false } // an upload of the same bytes got here first
      const entry: RepositoryFile = { ...file, uploadedAt: new Date().toISOString() }
      release.files.push(entry)
      release.files.sort((a, b) => (a.name < b.name ? -1 : 1))
      await this.save(repo)
      return { file: entry, created: true }
    })
  }

  /** Runs `fn` after every earlier change to repository `name` settled. */
  private locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve()
    const next = previous.then(fn, fn)
    const settled = next.catch(() => {})
    this.locks.set(name, settled)
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name)
    })
    return next
  }

  private async save(repo: Repository): Promise<void> {
    const tmp = join(this.dir, `.${repo.name}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      const file = await open(tmp, 'wx')
      try {
        await file.writeFile(JSON.stringify(repo, null, 2))
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(tmp, join(this.dir, `${repo.name}.json`))
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
    this.repos.set(repo.name, structuredClone(repo))
  }
}
