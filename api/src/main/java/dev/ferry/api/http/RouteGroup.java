package dev.ferry.api.http;

/**
 * The handlers of one feature's routes (VMs, migrations, hosts...), added to a server being built.
 * One class per feature keeps a server's wiring readable.
 */
public interface RouteGroup {
  /** Registers this group's handlers, one per route. */
  void addTo(RestServer.Builder server);
}
