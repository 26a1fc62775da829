/**
 * Value types and formats every module shares, with no Ferry dependency of their own: sizes and
 * rates as types ({@link dev.ferry.common.ByteSize}, {@link dev.ferry.common.DataRate}), the one
 * JSON configuration of the APIs and state files ({@link dev.ferry.common.Json}), and the on-disk
 * contract of state files, versioned, checksummed, fsynced and atomically replaced ({@link
 * dev.ferry.common.Persisted}). Child processes run through {@code common.process}.
 */
package dev.ferry.common;
