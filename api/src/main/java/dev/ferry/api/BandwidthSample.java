package dev.ferry.api;

/**
 * A one-shot TCP sink the destination opened for a bandwidth probe.
 *
 * @param port where to connect (on the destination's migration address)
 * @param unused reserved, always 0
 */
public record BandwidthSample(long port, long unused) {}
