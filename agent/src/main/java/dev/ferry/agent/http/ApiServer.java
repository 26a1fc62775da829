package dev.ferry.agent.http;

import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.agent.diskmove.DiskMover;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.migration.incoming.IncomingMigrations;
import dev.ferry.agent.migration.outgoing.OutgoingMigrations;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.AgentRoutes;
import dev.ferry.api.HostFacts;
import dev.ferry.api.HostLoadSample;
import dev.ferry.api.auth.AuditLog;
import dev.ferry.api.auth.ServerSecurity;
import dev.ferry.api.http.RestServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The agent's {@code /v1} REST API ({@link AgentRoutes}), served on a TCP address for peers and on
 * a unix socket for local tools through the shared {@link RestServer}. Handlers run on virtual
 * threads and may block; one route group per feature.
 */
public final class ApiServer implements AutoCloseable {
  private final RestServer server;

  /**
   * @param listen TCP address, or empty for the unix socket only
   * @param socket unix socket path, or empty for TCP only
   */
  public ApiServer(
      Optional<InetSocketAddress> listen,
      Optional<Path> socket,
      Supplier<HostFacts> host,
      VmService vms,
      EventBus events,
      OutgoingMigrations migrations,
      IncomingMigrations incoming,
      ManagerLink manager,
      Supplier<HostLoadSample> load,
      DiskMover disks,
      ServerSecurity security) {
    this.server =
        RestServer.builder(AgentRoutes.table())
            .listen(listen)
            .socket(socket)
            .authenticate(security.store())
            .audit(AuditLog.toFile(security.auditLog()))
            .add(new HostRoutes(host, load))
            .add(new ManagerBindingRoutes(manager))
            .add(new VmRoutes(vms, disks))
            .add(new MigrationRoutes(migrations))
            .add(new IncomingRoutes(incoming))
            .add(new EventRoutes(events))
            .build();
  }

  public ApiServer start() {
    server.start();
    return this;
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
