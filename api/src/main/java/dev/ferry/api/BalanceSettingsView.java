package dev.ferry.api;

/**
 * The balancer's settings ({@code PUT /v1/balance/settings}).
 *
 * @param mode {@code off}, {@code manual} or {@code automatic}
 * @param aggressiveness 1 (only large gains) to 5 (even small gains)
 */
public record BalanceSettingsView(String mode, int aggressiveness) {}
