package dev.ferry.api;

import dev.ferry.common.DataRate;

/** A new bandwidth cap for a running migration. */
public record BandwidthChange(DataRate bandwidth) {}
