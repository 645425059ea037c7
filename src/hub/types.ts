/**
 * The model hub's data model. A model is an ONNX file addressed by its CID:
 * CIDv1, codec `raw` (0x55), multihash sha2-256 of the file's bytes, base32 ("bafkrei...").
 */

/** ONNX element types the project handles (names as in onnxruntime's `Tensor.type`). */
export type TensorElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'string'

export interface TensorSpec {
  name: string
  type: TensorElementType
  /** Static dims as numbers; a dynamic (symbolic or unknown) dim is -1. A scalar has shape []. */
  shape: number[]
}

/** Everything the chain and the nodes need to know about a model, derived from its bytes. */
export interface ModelMetadata {
  cid: string
  /** File size in bytes. */
  size: number
  /** Optional human fields given at upload. */
  name?: string
  description?: string
  inputs: TensorSpec[]
  outputs: TensorSpec[]
  /** Highest default-domain opset the model imports. */
  opsetVersion: number
  /** Distinct operator types in the graph, sorted. */
  operators: string[]
  /**
   * Deterministic estimate of the model's work, in multiply-accumulates: exact for Gemm/MatMul/Conv
   * with static shapes; otherwise at least the number of weight parameters. Priced by the precompile.
   */
  workUnits: number
}

/** Where the hub keeps files; swappable (disk in production, memory in unit tests). */
export interface ModelStore {
  has(cid: string): Promise<boolean>
  /** Reads the whole file; undefined if unknown. */
  get(cid: string): Promise<Uint8Array | undefined>
  /** Stores bytes, returns their CID (idempotent). */
  put(bytes: Uint8Array): Promise<string>
  getMetadata(cid: string): Promise<ModelMetadata | undefined>
  putMetadata(metadata: ModelMetadata): Promise<void>
  list(): Promise<ModelMetadata[]>
}

/** A file of a repository release: a name and the content ID of its bytes (immutable once published). */
export interface RepositoryFile {
  name: string
  cid: string
  size: number
  /** ISO 8601. */
  uploadedAt: string
}

/** One `major.minor` release of a repository. */
export interface RepositoryVersion {
  version: string
  createdAt: string
  files: RepositoryFile[]
}

/**
 * A model repository, as users of a model hub know it. Who owns it is recorded on chain
 * (`ModelRegistry.repositoryOwner`); `owner` here is who created it on the hub.
 */
export interface Repository {
  name: string
  owner: string
  description: string
  task: string
  license: string
  tags: string[]
  private: boolean
  createdAt: string
  /** Oldest first; `1.00` is created with the repository. */
  versions: RepositoryVersion[]
}
