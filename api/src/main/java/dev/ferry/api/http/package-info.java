/**
 * The server side of Ferry's REST APIs: one bootstrap, {@link dev.ferry.api.http.RestServer}, that
 * the agent and the manager both serve through, so their transport, JSON handling, request checks
 * and error replies cannot drift apart.
 *
 * <p>A request's way through the server:
 *
 * <pre>
 *  request ─► route match ──no path──────────────────────────────► 404 not_found
 *                 │        └─other method────────────────────────► 405 method_not_allowed
 *                 ▼
 *            body declared? ─► Content-Type JSON? ──no──────────► 415 unsupported_media_type
 *                 │                 └─ empty / null / malformed / unknown field ─► 400 bad_request
 *                 ▼
 *            handler(RestCall) ─ query(param): Javalin validation ─bad─► 400 "timeout=soon is not ..."
 *                 │                                  (ErrorReplies maps every exception)
 *                 ├─ throws ErrorReply (AgentException, ManagerException) ─► its status and code
 *                 ├─ throws ApiException (a peer refused) ──────────────────► the peer's error
 *                 └─ returns ─► the route's status: 200/201 JSON, 204, or text
 * </pre>
 *
 * Features register their handlers as {@link dev.ferry.api.http.RouteGroup}s, one class per
 * feature; a server whose routes are not all handled does not build. The route declarations live in
 * {@link dev.ferry.api.route}, the tables in {@link dev.ferry.api}.
 *
 * <p>Why here and not in a module of its own: the layering test ({@code e2e LayeringTest}) lets the
 * agent and the manager use {@code dev.ferry.api..} and nothing between them, and the route tables
 * the servers register by must be in the api module anyway, beside the clients that call them.
 * Keeping the server beside them costs the api module a Javalin dependency and needs no new layer.
 */
package dev.ferry.api.http;
