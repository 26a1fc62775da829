/**
 * The manager's REST API and web console: {@link dev.ferry.manager.http.ManagerApi} wires {@link
 * dev.ferry.manager.Operations} into the shared {@link dev.ferry.api.http.RestServer}, one route
 * group per feature, and serves the console's files at {@code /}.
 *
 * <table>
 *   <caption>Route groups</caption>
 *   <tr><th>Group</th><th>Routes ({@link dev.ferry.api.ManagerRoutes})</th></tr>
 *   <tr><td>ClusterHostRoutes</td><td>/v1/hosts*, maintenance</td></tr>
 *   <tr><td>ClusterVmRoutes</td><td>/v1/vms*, /v1/leases*</td></tr>
 *   <tr><td>ClusterMigrationRoutes</td><td>/v1/migrations*, /v1/queue/limits</td></tr>
 *   <tr><td>BalanceRoutes</td><td>/v1/balance*</td></tr>
 *   <tr><td>MonitoringRoutes</td><td>/v1/events, /metrics</td></tr>
 * </table>
 *
 * Handlers only translate; refusals are {@link dev.ferry.manager.ManagerException}s (and agents'
 * errors passed on as {@link dev.ferry.api.ApiException}s), which the server maps to their status.
 */
package dev.ferry.manager.http;
