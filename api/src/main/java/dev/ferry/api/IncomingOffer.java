package dev.ferry.api;

import dev.ferry.migration.MigrationId;

/** The destination is ready: the source's QEMU sends its stream to {@code uri}. */
public record IncomingOffer(MigrationId migration, String uri) {}
