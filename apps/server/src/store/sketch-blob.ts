import type { SketchData } from '../metrics/index.ts';
import { QuantileSketch } from '../metrics/index.ts';

/**
 * A sketch as a compact BLOB: a format byte, accuracy, count, zero count, sum, min, max, then the bucket
 * counts from `minKey` as LEB128 varints (most are 0 or small, so one byte each). Hand-written because
 * the sketch's plain data as JSON is 3-5 times larger and this is the bulk of the history.
 */
const FORMAT_V1 = 1;

export function encodeSketch(sketch: QuantileSketch): Buffer {
  const data = sketch.toData();
  // 1 format + 4 f64 + up to 10 bytes per varint (count, zeroCount, minKey, length) + 5 per bin.
  const out = Buffer.alloc(1 + 32 + 40 + data.counts.length * 5);
  let at = out.writeUInt8(FORMAT_V1, 0);
  at = out.writeDoubleLE(data.relativeAccuracy, at);
  at = writeVarint(out, at, data.count);
  at = writeVarint(out, at, data.zeroCount);
  at = out.writeDoubleLE(data.sum, at);
  at = out.writeDoubleLE(data.min ?? Number.NaN, at);
  at = out.writeDoubleLE(data.max ?? Number.NaN, at);
  at = writeVarint(out, at, data.minKey >= 0 ? data.minKey * 2 : -data.minKey * 2 - 1);
  at = writeVarint(out, at, data.counts.length);
  for (const c of data.counts) at = writeVarint(out, at, c);
  return out.subarray(0, at);
}

/** The sketch of `encodeSketch`; throws RangeError when the bytes are not one. */
export function decodeSketch(blob: Uint8Array): QuantileSketch {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const reader = { at: 0 };
  const format = buf.readUInt8(reader.at++);
  if (format !== FORMAT_V1) throw new RangeError(`unknown sketch format ${format}`);
  const relativeAccuracy = readDouble(buf, reader);
  const count = readVarint(buf, reader);
  const zeroCount = readVarint(buf, reader);
  const sum = readDouble(buf, reader);
  const min = readDouble(buf, reader);
  const max = readDouble(buf, reader);
  const zigzag = readVarint(buf, reader);
  const minKey = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  const length = readVarint(buf, reader);
  if (length > buf.length - reader.at) throw new RangeError('sketch blob is truncated');
  const counts = new Array<number>(length);
  for (let i = 0; i < length; i++) counts[i] = readVarint(buf, reader);
  if (reader.at !== buf.length) throw new RangeError('sketch blob has trailing bytes');
  const data: SketchData = {
    relativeAccuracy,
    count,
    zeroCount,
    sum,
    min: Number.isNaN(min) ? null : min,
    max: Number.isNaN(max) ? null : max,
    minKey,
    counts,
  };
  return QuantileSketch.fromData(data);
}

function writeVarint(out: Buffer, at: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a varint`);
  let rest = value;
  while (rest >= 0x80) {
    out[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[at++] = rest;
  return at;
}

function readVarint(buf: Buffer, reader: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (reader.at >= buf.length) throw new RangeError('sketch blob is truncated');
    const byte = buf[reader.at++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
  throw new RangeError('sketch blob has a varint longer than 8 bytes');
}

function readDouble(buf: Buffer, reader: { at: number }): number {
  if (reader.at + 8 > buf.length) throw new RangeError('sketch blob is truncated');
  const value = buf.readDoubleLE(reader.at);
  reader.at += 8;
  return value;
}
