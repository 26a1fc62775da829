package dev.ferry.manager.http;

import dev.ferry.api.ManagerRoutes;
import dev.ferry.api.auth.AuditLog;
import dev.ferry.api.auth.ServerSecurity;
import dev.ferry.api.http.RestServer;
import dev.ferry.manager.Operations;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The manager's {@code /v1} REST API ({@link ManagerRoutes}), {@code /metrics} for Prometheus and
 * the web console at {@code /}, on a TCP address and/or a unix socket, through the shared {@link
 * RestServer}. Handlers run on virtual threads; one route group per feature.
 */
public final class ManagerApi implements AutoCloseable {
  private final RestServer server;

  public ManagerApi(
      Optional<InetSocketAddress> listen,
      Optional<Path> socket,
      Operations ops,
      ServerSecurity security) {
    this.server =
        RestServer.builder(ManagerRoutes.table())
            .listen(listen)
            .socket(socket)
            .authenticate(security.store())
            .audit(AuditLog.toFile(security.auditLog()))
            .staticFiles("/console")
            .add(new ClusterHostRoutes(ops))
            .add(new ClusterVmRoutes(ops))
            .add(new ClusterMigrationRoutes(ops))
            .add(new BalanceRoutes(ops))
            .add(new MonitoringRoutes(ops))
            .build();
  }

  public void start() {
    server.start();
  }

  /** The TCP port actually bound (useful with port 0), or -1 without TCP. */
  public int tcpPort() {
    return server.tcpPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
