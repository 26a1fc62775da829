package dev.ferry.api;

/** The longest gap a client-side probe saw during a migration. */
public record OutageReport(long outageMs) {}
