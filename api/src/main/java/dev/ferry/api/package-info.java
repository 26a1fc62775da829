/**
 * Ferry's REST contracts, version 1: the agent's and the manager's request and reply records, the
 * route tables that declare every endpoint, and a client for each API.
 *
 * <p>The endpoint tables are code, not prose, so they cannot go stale: {@link
 * dev.ferry.api.AgentRoutes} (host, manager binding, VMs, console, disk move, outgoing migrations
 * {@code /v1/vms/{name}/migrate} and {@code /v1/migrations*}, the destination's {@code
 * /v1/incoming*}, the event stream {@code /v1/events}) and {@link dev.ferry.api.ManagerRoutes}
 * (hosts and maintenance, VMs and leases, the migration queue and its limits, balancing, events,
 * {@code /metrics}). Each route names its method, path, body and reply types, success status and
 * query parameters; {@link dev.ferry.api.AgentClient} and {@link dev.ferry.api.ManagerClient} build
 * their requests from them and the servers register their handlers by them.
 *
 * <pre>
 *   AgentClient ──┐                       ┌── agent.http.ApiServer (route groups)
 *                 ├─ AgentRoutes ─────────┤
 *   ManagerClient ┤   ManagerRoutes       └── manager.http.ManagerApi (route groups)
 *                 │   (api.route)                   │
 *   RestClient ───┘                        api.http.RestServer (Javalin, one error mapping)
 * </pre>
 *
 * <p>Conventions, the same on both servers:
 *
 * <ul>
 *   <li>Bodies are JSON ({@code Content-Type: application/json}; another media type is refused with
 *       415). Unknown fields in a request are refused, so a typo never goes unnoticed; a malformed
 *       body, a value of the wrong type or a value a record refuses gets a 400 whose message names
 *       the field.
 *   <li>Every error is an {@link dev.ferry.api.ApiError} body with a 4xx/5xx status, a stable code
 *       ({@code bad_request}, {@code not_found}, {@code conflict}, {@code method_not_allowed},
 *       {@code unsupported_media_type}, {@code agent_unreachable}, {@code internal}...; the
 *       manager's own refusals use {@code manager}) and a message naming the problem. A client
 *       turns it into an {@link dev.ferry.api.ApiException}; no answer at all is an {@link
 *       dev.ferry.api.AgentUnreachableException} or {@link
 *       dev.ferry.api.ManagerUnreachableException}.
 *   <li>An unknown path is a 404, a known path with another method a 405.
 * </ul>
 */
package dev.ferry.api;
