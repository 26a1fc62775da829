package dev.ferry.api;

/**
 * Adds a host to the manager by its agent's URL ({@code POST /v1/hosts}).
 *
 * @param url the agent's URL as the manager reaches it
 */
public record AddHostRequest(String url) {}
