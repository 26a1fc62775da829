package dev.ferry.api;

/**
 * Asks the manager to settle a lease moved at handover: the destination, before it resumes the
 * guest, turns ({@code host}, {@code epoch}, pending) into ({@code host}, {@code epoch}). Refused
 * once the source reclaimed it; idempotent once settled.
 *
 * @param host the destination, which holds the pending lease
 * @param epoch the epoch it was moved to
 * @param migration the migration doing the handover, for the record
 */
public record LeaseActivation(String host, long epoch, String migration) {}
