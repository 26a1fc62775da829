/**
 * The agent's REST API: {@link dev.ferry.agent.http.ApiServer} wires the agent's services into the
 * shared {@link dev.ferry.api.http.RestServer}, one route group per feature.
 *
 * <table>
 *   <caption>Route groups</caption>
 *   <tr><th>Group</th><th>Routes ({@link dev.ferry.api.AgentRoutes})</th><th>Service</th></tr>
 *   <tr><td>HostRoutes</td><td>/v1/host, /v1/host/load</td><td>host facts, load probe</td></tr>
 *   <tr><td>ManagerBindingRoutes</td><td>/v1/manager</td><td>ManagerLink</td></tr>
 *   <tr><td>VmRoutes</td><td>/v1/vms*, console, disk move</td><td>VmService, DiskMover</td></tr>
 *   <tr><td>MigrationRoutes</td><td>/v1/vms/{name}/migrate, /v1/migrations*</td>
 *       <td>OutgoingMigrations</td></tr>
 *   <tr><td>IncomingRoutes</td><td>/v1/incoming*</td><td>IncomingMigrations</td></tr>
 *   <tr><td>EventRoutes</td><td>/v1/events (server-sent events)</td><td>EventBus</td></tr>
 * </table>
 *
 * Handlers only translate: they read the path, query and body the route declares and call one
 * service method; refusals are {@link dev.ferry.agent.AgentException}s, which the server maps to
 * their status.
 */
package dev.ferry.agent.http;
