package dev.ferry.api;

/** Source → destination: take over the VM with this ownership epoch and resume it. */
public record HandoverRequest(long epoch) {}
