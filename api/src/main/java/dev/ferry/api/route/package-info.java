/**
 * Declarations of REST routes, shared by the servers and the clients so that paths are written
 * once.
 *
 * <p>A {@link dev.ferry.api.route.RouteTable} lists an API's {@link dev.ferry.api.route.Route}s
 * (method, path template, body and reply types, success status, typed {@link
 * dev.ferry.api.route.QueryParam}s). A client turns a route into a {@link
 * dev.ferry.api.route.Target} ({@code STOP.at(name).with(FORCE, true)}) and sends it; a server
 * registers one handler per route (see {@code dev.ferry.api.http.RestServer}) and refuses to start
 * unless every declared route has one. The tables themselves are {@link dev.ferry.api.AgentRoutes}
 * and {@link dev.ferry.api.ManagerRoutes}.
 *
 * <p>This package knows nothing of HTTP libraries: the clients use Jetty's, the servers Javalin.
 */
package dev.ferry.api.route;
