// The ONNX protobuf schema, written for this project from the ONNX IR specification (docs/IR.md).
// Only what onnxc reads or writes is declared; unknown fields are skipped by the decoder.
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto2";
package onnx;

message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }

message TensorShapeProto {
  message Dimension {
    oneof value { int64 dim_value = 1; string dim_param = 2; }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  message Sequence { optional TypeProto elem_type = 1; }
  message Map { optional int32 key_type = 1; optional TypeProto value_type = 2; }
  message Optional { optional TypeProto elem_type = 1; }
  message SparseTensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value {
    Tensor tensor_type = 1;
    Sequence sequence_type = 4;
    Map map_type = 5;
    Optional optional_type = 9;
    SparseTensor sparse_tensor_type = 8;
  }
  optional string denotation = 6;
}

message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }

message TensorProto {
  message Segment { optional int64 begin = 1; optional int64 end = 2; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional Segment segment = 3;
  repeated float float_data = 4;
  repeated int32 int32_data = 5;
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7;
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
  repeated double double_data = 10;
  repeated uint64 uint64_data = 11;
}

message SparseTensorProto { optional TensorProto values = 1; optional TensorProto indices = 2; repeated int64 dims = 3; }

message AttributeProto {
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional int32 type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  optional SparseTensorProto sparse_tensor = 22;
  optional TypeProto tp = 14;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
  repeated SparseTensorProto sparse_tensors = 23;
  repeated TypeProto type_protos = 15;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  optional string overload = 8;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message FunctionProto {
  optional string name = 1;
  repeated string input = 4;
  repeated string output = 5;
  repeated string attribute = 6;
  repeated AttributeProto attribute_proto = 11;
  repeated NodeProto node = 7;
  optional string doc_string = 8;
  repeated OperatorSetIdProto opset_import = 9;
  optional string domain = 10;
  optional string overload = 13;
  repeated ValueInfoProto value_info = 12;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
  repeated FunctionProto functions = 25;
}

message SequenceProto {
  optional string name = 1;
  optional int32 elem_type = 2;
  repeated TensorProto tensor_values = 3;
  repeated SparseTensorProto sparse_tensor_values = 4;
  repeated SequenceProto sequence_values = 5;
  repeated OptionalProto optional_value = 7;
}

message OptionalProto {
  optional string name = 1;
  optional int32 elem_type = 2;
  optional TensorProto tensor_value = 3;
  optional SparseTensorProto sparse_tensor_value = 4;
  optional SequenceProto sequence_value = 5;
  optional OptionalProto optional_value = 6;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;

export const ModelProto = root.lookupType('onnx.ModelProto');
export const TensorProto = root.lookupType('onnx.TensorProto');
export const SequenceProto = root.lookupType('onnx.SequenceProto');
export const OptionalProto = root.lookupType('onnx.OptionalProto');

// Decoded message shapes (keepCase field names). Int64 fields may arrive as Long or number.
export type Int64 = number | { toString(): string; toNumber(): number; low: number; high: number; unsigned?: boolean };
export interface PTensorShape { dim?: { dim_value?: Int64; dim_param?: string; value?: 'dim_value' | 'dim_param' }[] }
export interface PType { tensor_type?: { elem_type?: number; shape?: PTensorShape }; sequence_type?: { elem_type?: PType }; map_type?: unknown; optional_type?: { elem_type?: PType }; sparse_tensor_type?: unknown }
export interface PValueInfo { name?: string; type?: PType }
export interface PTensor {
  dims?: Int64[]; data_type?: number; float_data?: number[]; int32_data?: number[]; string_data?: Uint8Array[];
  int64_data?: Int64[]; name?: string; raw_data?: Uint8Array; external_data?: { key?: string; value?: string }[];
  data_location?: number; double_data?: number[]; uint64_data?: Int64[];
}
export interface PAttr {
  name?: string; ref_attr_name?: string; type?: number; f?: number; i?: Int64; s?: Uint8Array; t?: PTensor; g?: PGraph;
  floats?: number[]; ints?: Int64[]; strings?: Uint8Array[]; tensors?: PTensor[]; graphs?: PGraph[]; tp?: unknown; sparse_tensor?: unknown;
}
export interface PNode { input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: PAttr[] }
export interface PGraph {
  node?: PNode[]; name?: string; initializer?: PTensor[]; sparse_initializer?: unknown[];
  input?: PValueInfo[]; output?: PValueInfo[]; value_info?: PValueInfo[];
}
export interface PFunction {
  name?: string; domain?: string; input?: string[]; output?: string[]; attribute?: string[];
  attribute_proto?: PAttr[]; node?: PNode[]; opset_import?: { domain?: string; version?: Int64 }[];
}
export interface PModel {
  ir_version?: Int64; opset_import?: { domain?: string; version?: Int64 }[]; producer_name?: string;
  producer_version?: string; graph?: PGraph; functions?: PFunction[];
}

/** Int64 field → bigint (exact). */
export function int64Big(v: Int64 | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return BigInt(v.toString());
}

/** Int64 field → number (exact up to 2^53; larger values are clamped to ±2^53 for safety). */
export function int64Num(v: Int64 | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const b = BigInt(v.toString());
  const lim = 2n ** 53n;
  if (b > lim) return Number(lim);
  if (b < -lim) return -Number(lim);
  return Number(b);
}
