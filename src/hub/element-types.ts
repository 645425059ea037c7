/**
 * ONNX `TensorProto.DataType` codes ↔ the element type names onnxruntime uses (`Tensor.type`).
 * One table, read by the hub (metadata) and written by the model builders.
 */
import onnxProto from 'onnx-proto'
import type { TensorElementType } from './types.js'

const D = onnxProto.onnx.TensorProto.DataType

/** The ONNX data type code of each element type the project handles. */
export const ONNX_DATA_TYPES: Readonly<Record<TensorElementType, number>> = {
  float32: D.FLOAT,
  float64: D.DOUBLE,
  int64: D.INT64,
  int32: D.INT32,
  int8: D.INT8,
  uint8: D.UINT8,
  bool: D.BOOL,
  string: D.STRING,
}

const BY_CODE = new Map<number, TensorElementType>(
  Object.entries(ONNX_DATA_TYPES).map(([name, code]) => [code, name as TensorElementType]),
)

/**
 * The element type of an ONNX data type code, or undefined for one the project does not handle
 * (float16, uint64, complex, ...).
 *
 * @example
 * elementTypeOf(7) // 'int64'
 */
export function elementTypeOf(code: number | null | undefined): TensorElementType | undefined {
  return code === null || code === undefined ? undefined : BY_CODE.get(code)
}

/** ONNX's own name of a data type code (for error messages): `FLOAT16`, `UINT64`, ... */
export function onnxDataTypeName(code: number | null | undefined): string {
  return (code !== null && code !== undefined && D[code]) || `data type ${String(code)}`
}
