package dev.ferry.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Pure codec tests: commands to JSON, QEMU's JSON (as QEMU 7.2 sends it) to records. */
class QmpCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final QmpCodec codec = new QmpCodec();

  private JsonNode request(QmpCommand<?> command) throws IOException {
    byte[] line = codec.encodeRequest(7, command);
    assertThat(line[line.length - 1]).as("request ends with a newline").isEqualTo((byte) '\n');
    return JSON.readTree(line);
  }

  private static JsonNode json(String text) throws IOException {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private <R> R reply(QmpCommand<R> command, String returnJson) throws IOException {
    return codec.decodeReply(json(returnJson), command.replyType());
  }

  private QmpEvent event(String json) throws Exception {
    QmpCodec.Inbound inbound =
        codec.decode(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    assertThat(inbound).isInstanceOf(QmpCodec.Event.class);
    return ((QmpCodec.Event) inbound).event();
  }

  @Nested
  class Commands {
    @Test
    void commandWithoutComponentsIsSentWithoutArguments() throws IOException {
      assertThat(request(new VmCommand.QueryStatus()))
          .isEqualTo(json("{'execute':'query-status','id':7}"));
      assertThat(request(new MonitorCommand.QmpCapabilities()))
          .isEqualTo(json("{'execute':'qmp_capabilities','id':7}"));
    }

    @Test
    void migrateLeavesOutAbsentOptionals() throws IOException {
      assertThat(request(new MigrationCommand.Migrate("tcp:198.18.0.2:4444")))
          .isEqualTo(
              json("{'execute':'migrate','arguments':{'uri':'tcp:198.18.0.2:4444'},'id':7}"));
      assertThat(
              request(new MigrationCommand.Migrate("tcp:h:1", Optional.of(true))).get("arguments"))
          .isEqualTo(json("{'uri':'tcp:h:1','resume':true}"));
    }

    @Test
    void setParametersSendsOnlyWhatIsSetInQmpUnits() throws IOException {
      MigrationParameters changes =
          MigrationParameters.builder()
              .downtimeLimit(Duration.ofMillis(30))
              .maxBandwidth(DataRate.ofMebibytesPerSecond(1024))
              .maxPostcopyBandwidth(DataRate.ZERO)
              .multifdChannels(4)
              .multifdCompression(MigrationParameters.MultifdCompression.ZSTD)
              .tls("", "")
              .build();
      assertThat(request(new MigrationCommand.MigrateSetParameters(changes)).get("arguments"))
          .isEqualTo(
              json(
                  "{'downtime-limit':30,'max-bandwidth':1073741824,'max-postcopy-bandwidth':0,"
                      + "'multifd-channels':4,'multifd-compression':'zstd',"
                      + "'tls-creds':'','tls-hostname':''}"));
    }

    @Test
    void emptyParameterChangeSendsAnEmptyObject() throws IOException {
      JsonNode arguments =
          request(new MigrationCommand.MigrateSetParameters(MigrationParameters.builder().build()))
              .get("arguments");
      assertThat(arguments).isEqualTo(json("{}"));
    }

    @Test
    void capabilitiesAreKebabCaseNames() throws IOException {
      var command =
          new MigrationCommand.MigrateSetCapabilities(
              List.of(
                  MigrationCapabilityStatus.enable(MigrationCapability.PAUSE_BEFORE_SWITCHOVER),
                  MigrationCapabilityStatus.disable(MigrationCapability.of("x-colo"))));
      assertThat(request(command).get("arguments"))
          .isEqualTo(
              json(
                  "{'capabilities':[{'capability':'pause-before-switchover','state':true},"
                      + "{'capability':'x-colo','state':false}]}"));
    }

    @Test
    void migrationControlCommands() throws IOException {
      assertThat(request(new MigrationCommand.MigrateContinue(MigrationStatus.PRE_SWITCHOVER)))
          .isEqualTo(
              json("{'execute':'migrate-continue','arguments':{'state':'pre-switchover'},'id':7}"));
      assertThat(request(new MigrationCommand.MigrateCancel()))
          .isEqualTo(json("{'execute':'migrate_cancel','id':7}"));
      assertThat(request(new MigrationCommand.MigrateIncoming("tcp:198.18.0.2:0")).get("arguments"))
          .isEqualTo(json("{'uri':'tcp:198.18.0.2:0'}"));
      assertThat(request(new MigrationCommand.MigrateRecover("tcp:h:5")).get("execute").asText())
          .isEqualTo("migrate-recover");
      assertThat(request(new MigrationCommand.MigratePause()).has("arguments")).isFalse();
      assertThat(request(new MigrationCommand.MigrateStartPostcopy()).get("execute").asText())
          .isEqualTo("migrate-start-postcopy");
    }

    @Test
    void calcDirtyRateSendsWholeSeconds() throws IOException {
      var command =
          new MigrationCommand.CalcDirtyRate(
              Duration.ofSeconds(2),
              Optional.of(512L),
              Optional.of(DirtyRateInfo.Mode.PAGE_SAMPLING));
      assertThat(request(command).get("arguments"))
          .isEqualTo(json("{'calc-time':2,'sample-pages':512,'mode':'page-sampling'}"));
    }

    @Test
    void announceSelfDefaultsMatchQemus() throws IOException {
      assertThat(request(MigrationCommand.AnnounceSelf.defaults()).get("arguments"))
          .isEqualTo(json("{'initial':50,'max':550,'rounds':5,'step':100}"));
    }

    @Test
    void blockdevAddSendsTheNodeFlat() throws IOException {
      assertThat(
              request(
                      new BlockCommand.BlockdevAdd(
                          new BlockNode.File(
                              "disk0-file",
                              Path.of("/var/lib/ferry/disk0.qcow2"),
                              BlockNode.NodeOptions.DEFAULTS
                                  .withCache(new BlockNode.Cache(true, false))
                                  .withDiscard(BlockNode.Discard.UNMAP))))
                  .get("arguments"))
          .isEqualTo(
              json(
                  "{'driver':'file','node-name':'disk0-file',"
                      + "'filename':'/var/lib/ferry/disk0.qcow2','discard':'unmap',"
                      + "'cache':{'direct':true,'no-flush':false}}"));
      assertThat(
              request(new BlockCommand.BlockdevAdd(new BlockNode.Qcow2("disk0", "disk0-file")))
                  .get("arguments"))
          .isEqualTo(
              json("{'driver':'qcow2','node-name':'disk0','file':'disk0-file','backing':null}"));
      assertThat(
              request(
                      new BlockCommand.BlockdevAdd(
                          new BlockNode.Raw(
                              "disk1",
                              "disk1-file",
                              BlockNode.NodeOptions.DEFAULTS.withReadOnly(true))))
                  .get("arguments"))
          .isEqualTo(
              json("{'driver':'raw','node-name':'disk1','file':'disk1-file','read-only':true}"));
    }

    @Test
    void nbdClientUsesFlatSocketAddressWithStringPort() throws IOException {
      var inet = new BlockNode.Nbd("target0", new SocketAddress.Inet("198.18.0.2", 10809), "disk0");
      assertThat(request(new BlockCommand.BlockdevAdd(inet)).get("arguments"))
          .isEqualTo(
              json(
                  "{'driver':'nbd','node-name':'target0',"
                      + "'server':{'type':'inet','host':'198.18.0.2','port':'10809'},"
                      + "'export':'disk0'}"));
      var unix = new BlockNode.Nbd("t1", new SocketAddress.Unix(Path.of("/run/nbd.sock")), "d");
      assertThat(request(new BlockCommand.BlockdevAdd(unix)).at("/arguments/server"))
          .isEqualTo(json("{'type':'unix','path':'/run/nbd.sock'}"));
    }

    @Test
    void nbdServerStartUsesTheLegacySocketAddress() throws IOException {
      assertThat(
              request(
                      new BlockCommand.NbdServerStart(
                          new SocketAddress.Unix(Path.of("/run/ferry/nbd.sock"))))
                  .get("arguments"))
          .isEqualTo(json("{'addr':{'type':'unix','data':{'path':'/run/ferry/nbd.sock'}}}"));
      assertThat(
              request(new BlockCommand.NbdServerStart(new SocketAddress.Inet("0.0.0.0", 10809)))
                  .at("/arguments/addr"))
          .isEqualTo(json("{'type':'inet','data':{'host':'0.0.0.0','port':'10809'}}"));
    }

    @Test
    void otherBlockNodePassesDriverOptionsThrough() throws IOException {
      var options = JSON.createObjectNode().put("size", 1024).put("read-zeroes", true);
      var node =
          new BlockNode.Other(
              "n0", "null-aio", options, BlockNode.NodeOptions.DEFAULTS.withReadOnly(true));
      assertThat(request(new BlockCommand.BlockdevAdd(node)).get("arguments"))
          .isEqualTo(
              json(
                  "{'driver':'null-aio','node-name':'n0','size':1024,'read-zeroes':true,"
                      + "'read-only':true}"));
    }

    @Test
    void mirrorAndJobCommands() throws IOException {
      var mirror =
          new BlockCommand.BlockdevMirror(
              "mirror-disk0",
              "disk0",
              "target0",
              BlockCommand.BlockdevMirror.SyncMode.FULL,
              Optional.of(DataRate.ofMebibytesPerSecond(100)),
              Optional.of(BlockCommand.BlockdevMirror.CopyMode.WRITE_BLOCKING),
              Optional.of(false),
              Optional.of(false));
      assertThat(request(mirror).get("arguments"))
          .isEqualTo(
              json(
                  "{'job-id':'mirror-disk0','device':'disk0','target':'target0','sync':'full',"
                      + "'speed':104857600,'copy-mode':'write-blocking',"
                      + "'auto-finalize':false,'auto-dismiss':false}"));
      assertThat(request(new BlockCommand.BlockJobCancel("m0", true)).get("arguments"))
          .isEqualTo(json("{'device':'m0','force':true}"));
      assertThat(
              request(new BlockCommand.BlockJobSetSpeed("m0", DataRate.ofBytesPerSecond(1)))
                  .get("arguments"))
          .isEqualTo(json("{'device':'m0','speed':1}"));
      assertThat(request(new BlockCommand.JobDismiss("m0")).get("arguments"))
          .isEqualTo(json("{'id':'m0'}"));
      assertThat(request(new BlockCommand.QueryNamedBlockNodes()).get("arguments"))
          .isEqualTo(json("{'flat':true}"));
    }

    @Test
    void blockExportAddIsAnNbdExport() throws IOException {
      assertThat(request(new BlockCommand.BlockExportAdd("exp0", "disk0", true, "disk0")))
          .isEqualTo(
              json(
                  "{'execute':'block-export-add','arguments':{'type':'nbd','id':'exp0',"
                      + "'node-name':'disk0','writable':true,'name':'disk0'},'id':7}"));
      assertThat(
              request(
                      new BlockCommand.BlockExportDel(
                          "exp0", Optional.of(BlockCommand.BlockExportDel.Mode.HARD)))
                  .get("arguments"))
          .isEqualTo(json("{'id':'exp0','mode':'hard'}"));
    }

    @Test
    void humanMonitorCommand() throws IOException {
      assertThat(request(new MonitorCommand.HumanMonitorCommand("info status")).get("arguments"))
          .isEqualTo(json("{'command-line':'info status'}"));
    }
  }

  @Nested
  class Replies {
    @Test
    void statusVersionKvmNameUuid() throws IOException {
      assertThat(
              reply(
                  new VmCommand.QueryStatus(),
                  "{'status':'prelaunch','singlestep':false,'running':false}"))
          .isEqualTo(new StatusInfo(false, RunState.PRELAUNCH));
      QemuVersion version =
          reply(
              new VmCommand.QueryVersion(),
              "{'qemu':{'micro':22,'minor':2,'major':7},'package':'Debian 1:7.2+dfsg-7'}");
      assertThat(version).isEqualTo(new QemuVersion(7, 2, 22, "Debian 1:7.2+dfsg-7"));
      assertThat(version.isAtLeast(7, 2)).isTrue();
      assertThat(version.isAtLeast(8, 0)).isFalse();
      assertThat(reply(new VmCommand.QueryKvm(), "{'enabled':false,'present':true}"))
          .isEqualTo(new KvmInfo(false, true));
      assertThat(reply(new VmCommand.QueryName(), "{}").name()).isEmpty();
      assertThat(reply(new VmCommand.QueryName(), "{'name':'vm1'}").name()).contains("vm1");
      assertThat(
              reply(new VmCommand.QueryUuid(), "{'UUID':'00000000-0000-0000-0000-000000000000'}"))
          .isEqualTo(new UuidInfo(new UUID(0, 0)));
    }

    @Test
    void cpusFast() throws IOException {
      List<CpuInfo> cpus =
          reply(
              new VmCommand.QueryCpusFast(),
              "[{'thread-id':5018,'props':{'core-id':0,'thread-id':0,'socket-id':0},"
                  + "'qom-path':'/machine/unattached/device[0]','cpu-index':0,'target':'x86_64'}]");
      assertThat(cpus).hasSize(1);
      assertThat(cpus.get(0).threadId()).isEqualTo(5018);
      assertThat(cpus.get(0).target()).isEqualTo("x86_64");
      assertThat(cpus.get(0).props().orElseThrow().coreId()).contains(0);
      assertThat(cpus.get(0).props().orElseThrow().dieId()).isEmpty();
    }

    @Test
    void migrateCapabilitiesIncludeUnknownNames() throws IOException {
      var caps =
          reply(
              new MigrationCommand.QueryMigrateCapabilities(),
              "[{'state':false,'capability':'xbzrle'},{'state':true,'capability':'events'},"
                  + "{'state':false,'capability':'some-future-thing'}]");
      assertThat(caps)
          .containsExactly(
              MigrationCapabilityStatus.disable(MigrationCapability.XBZRLE),
              MigrationCapabilityStatus.enable(MigrationCapability.EVENTS),
              MigrationCapabilityStatus.disable(MigrationCapability.of("some-future-thing")));
    }

    @Test
    void migrateParametersOfQemu72() throws IOException {
      MigrationParameters p =
          reply(
              new MigrationCommand.QueryMigrateParameters(),
              "{'cpu-throttle-tailslow':false,'xbzrle-cache-size':67108864,"
                  + "'cpu-throttle-initial':20,'announce-max':550,'decompress-threads':2,"
                  + "'compress-threads':8,'compress-level':1,'multifd-channels':2,"
                  + "'multifd-zstd-level':1,'announce-initial':50,'block-incremental':false,"
                  + "'compress-wait-thread':true,'downtime-limit':300,'tls-authz':'',"
                  + "'multifd-compression':'none','announce-rounds':5,'announce-step':100,"
                  + "'tls-creds':'','multifd-zlib-level':1,'max-cpu-throttle':99,"
                  + "'max-postcopy-bandwidth':0,'tls-hostname':'',"
                  + "'throttle-trigger-threshold':50,'max-bandwidth':134217728,"
                  + "'x-checkpoint-delay':20000,'cpu-throttle-increment':10,"
                  + "'block-bitmap-mapping':[]}");
      assertThat(p.downtimeLimit()).contains(Duration.ofMillis(300));
      assertThat(p.maxBandwidth()).contains(DataRate.ofMebibytesPerSecond(128));
      assertThat(p.maxPostcopyBandwidth()).contains(DataRate.ZERO);
      assertThat(p.xbzrleCacheSize()).contains(new ByteSize(64L << 20));
      assertThat(p.announceInitial()).contains(Duration.ofMillis(50));
      assertThat(p.announceRounds()).contains(5);
      assertThat(p.xCheckpointDelay()).contains(Duration.ofSeconds(20));
      assertThat(p.multifdCompression()).contains(MigrationParameters.MultifdCompression.NONE);
      assertThat(p.tlsCreds()).contains("");
      assertThat(p.cpuThrottleTailslow()).contains(false);
    }

    @Test
    void parametersRoundTripThroughTheWireForm() throws IOException {
      MigrationParameters original =
          MigrationParameters.builder()
              .announce(Duration.ofMillis(50), Duration.ofMillis(550), 5, Duration.ofMillis(100))
              .cpuThrottle(20, 10, true)
              .downtimeLimit(Duration.ofMillis(30))
              .xbzrleCacheSize(new ByteSize(1 << 20))
              .build();
      JsonNode wire = codec.toTree(original);
      assertThat(codec.decodeReply(wire, ReplyType.of(MigrationParameters.class)))
          .isEqualTo(original);
    }

    @Test
    void queryMigrateWithoutMigrationIsNone() throws IOException {
      MigrationInfo info = reply(new MigrationCommand.QueryMigrate(), "{}");
      assertThat(info.status()).isEqualTo(MigrationStatus.NONE);
      assertThat(info.ram()).isEmpty();
      assertThat(info.blockedReasons()).isEmpty();
    }

    @Test
    void queryMigrateCompletedOfQemu72() throws IOException {
      MigrationInfo info =
          reply(
              new MigrationCommand.QueryMigrate(),
              "{'status':'completed','setup-time':39,'downtime':9,'total-time':804,"
                  + "'ram':{'total':67641344,'postcopy-requests':0,'dirty-sync-count':3,"
                  + "'multifd-bytes':0,'pages-per-second':40438,'downtime-bytes':349437,"
                  + "'page-size':4096,'remaining':0,'postcopy-bytes':0,"
                  + "'mbps':4.8235607843137256,'transferred':349437,"
                  + "'dirty-sync-missed-zero-copy':0,'precopy-bytes':0,'duplicate':16465,"
                  + "'dirty-pages-rate':0,'skipped':0,'normal-bytes':200704,'normal':49}}");
      assertThat(info.status()).isEqualTo(MigrationStatus.COMPLETED);
      assertThat(info.status().isFinal()).isTrue();
      assertThat(info.downtime()).contains(Duration.ofMillis(9));
      assertThat(info.totalTime()).contains(Duration.ofMillis(804));
      assertThat(info.expectedDowntime()).isEmpty();
      MigrationInfo.Stats ram = info.ram().orElseThrow();
      assertThat(ram.total()).isEqualTo(new ByteSize(67641344));
      assertThat(ram.remaining()).isEqualTo(new ByteSize(0));
      assertThat(ram.duplicate()).isEqualTo(16465);
      assertThat(ram.normalBytes()).isEqualTo(new ByteSize(200704));
      assertThat(ram.pageSize()).isEqualTo(new ByteSize(4096));
      assertThat(ram.dirtySyncCount()).isEqualTo(3);
      // 4.8235607843137256 Mbit/s = 602945.098... bytes/s
      assertThat(ram.throughput()).isEqualTo(DataRate.ofBytesPerSecond(602945));
    }

    @Test
    void queryMigrateOfQemu10WithoutSkippedAndWithNullsReadsTheRestAsZero() throws IOException {
      MigrationInfo info =
          reply(
              new MigrationCommand.QueryMigrate(),
              "{'status':'active','setup-time':12,'total-time':804,'expected-downtime':300,"
                  + "'ram':{'total':67641344,'remaining':1024,'transferred':349437,"
                  + "'dirty-sync-count':3,'mbps':800.5,'duplicate':16465,'normal':49,"
                  + "'normal-bytes':200704,'page-size':4096,'dirty-pages-rate':null,"
                  + "'multifd-bytes':0,'precopy-bytes':349437,'downtime-bytes':0,"
                  + "'postcopy-bytes':0,'dirty-sync-missed-zero-copy':0}}");
      MigrationInfo.Stats ram = info.ram().orElseThrow();
      assertThat(ram.transferred()).isEqualTo(new ByteSize(349437));
      assertThat(ram.skipped()).isZero();
      assertThat(ram.dirtyPagesRate()).isZero();
      assertThat(ram.postcopyRequests()).isZero();
      assertThat(ram.pagesPerSecond()).isZero();
      assertThat(ram.dirtySyncCount()).isEqualTo(3);
      assertThat(
              reply(new MigrationCommand.QueryMigrate(), "{'status':'postcopy-recover-setup'}")
                  .status())
          .isEqualTo(MigrationStatus.POSTCOPY_RECOVER_SETUP);
    }

    @Test
    void queryMigrateFailedCarriesTheError() throws IOException {
      MigrationInfo info =
          reply(
              new MigrationCommand.QueryMigrate(),
              "{'status':'failed','error-desc':'Unable to write to socket: Broken pipe'}");
      assertThat(info.status()).isEqualTo(MigrationStatus.FAILED);
      assertThat(info.errorDesc()).contains("Unable to write to socket: Broken pipe");
    }

    @Test
    void dirtyRate() throws IOException {
      DirtyRateInfo measuring =
          reply(
              new MigrationCommand.QueryDirtyRate(),
              "{'status':'measuring','sample-pages':512,'mode':'page-sampling',"
                  + "'start-time':410,'calc-time':1}");
      assertThat(measuring.status()).isEqualTo(DirtyRateInfo.Status.MEASURING);
      assertThat(measuring.dirtyRate()).isEmpty();
      assertThat(measuring.calcTime()).isEqualTo(Duration.ofSeconds(1));
      DirtyRateInfo measured =
          reply(
              new MigrationCommand.QueryDirtyRate(),
              "{'status':'measured','sample-pages':512,'dirty-rate':64,'mode':'page-sampling',"
                  + "'start-time':410,'calc-time':1}");
      assertThat(measured.dirtyRate()).contains(DataRate.ofMebibytesPerSecond(64));
    }

    @Test
    void blockJobs() throws IOException {
      List<BlockJobInfo> jobs =
          reply(
              new BlockCommand.QueryBlockJobs(),
              "[{'auto-finalize':false,'io-status':'ok','device':'m0','auto-dismiss':false,"
                  + "'busy':false,'len':67108864,'offset':67108864,'status':'ready',"
                  + "'paused':false,'speed':0,'ready':true,'type':'mirror'}]");
      assertThat(jobs)
          .containsExactly(
              new BlockJobInfo(
                  JobType.MIRROR,
                  "m0",
                  new ByteSize(64L << 20),
                  new ByteSize(64L << 20),
                  false,
                  false,
                  DataRate.ZERO,
                  BlockJobInfo.IoStatus.OK,
                  true,
                  JobStatus.READY,
                  false,
                  false,
                  Optional.empty()));
    }

    @Test
    void namedBlockNodesUseQemusOldMemberNames() throws IOException {
      List<BlockNodeInfo> nodes =
          reply(
              new BlockCommand.QueryNamedBlockNodes(),
              "[{'iops_rd':0,'detect_zeroes':'off','image':{'virtual-size':67108864,"
                  + "'filename':'nbd+unix:///disk0?socket=/tmp/nbd.sock','format':'nbd'},"
                  + "'ro':false,'node-name':'nbdc','backing_file_depth':0,'drv':'nbd',"
                  + "'encrypted':false,'file':'nbd+unix:///disk0?socket=/tmp/nbd.sock'}]");
      BlockNodeInfo node = nodes.get(0);
      assertThat(node.nodeName()).contains("nbdc");
      assertThat(node.driver()).isEqualTo("nbd");
      assertThat(node.readOnly()).isFalse();
      assertThat(node.image().virtualSize()).isEqualTo(new ByteSize(64L << 20));
      assertThat(node.image().actualSize()).isEmpty();
    }

    @Test
    void machinesAndHumanMonitorText() throws IOException {
      List<MachineInfo> machines =
          reply(
              new VmCommand.QueryMachines(),
              "[{'hotpluggable-cpus':true,'name':'pc-i440fx-7.2','numa-mem-supported':false,"
                  + "'default-cpu-type':'qemu64-x86_64-cpu','is-default':true,'cpu-max':255,"
                  + "'deprecated':false,'alias':'pc','default-ram-id':'pc.ram'}]");
      assertThat(machines.get(0).defaultMachine()).isTrue();
      MachineInfo unmarked =
          reply(
                  new VmCommand.QueryMachines(),
                  "[{'hotpluggable-cpus':true,'name':'pc-q35-7.2','numa-mem-supported':true,"
                      + "'cpu-max':288,'deprecated':false}]")
              .get(0);
      assertThat(unmarked.defaultMachine()).isFalse();
      assertThat(unmarked.alias()).isEmpty();
      assertThat(machines.get(0).alias()).contains("pc");
      assertThat(
              reply(
                  new MonitorCommand.HumanMonitorCommand("info status"),
                  "'VM status: paused\\r\\n'"))
          .isEqualTo("VM status: paused\r\n");
    }

    @Test
    void emptyReplyDecodesToNull() throws IOException {
      assertThat(reply(new VmCommand.Cont(), "{}")).isNull();
    }
  }

  @Nested
  class Events {
    @Test
    void timestampKeepsMicroseconds() throws Exception {
      QmpEvent stop =
          event("{'timestamp':{'seconds':1795638911,'microseconds':115534},'event':'STOP'}");
      assertThat(stop).isEqualTo(new QmpEvent.Stop(Instant.ofEpochSecond(1795638911, 115_534_000)));
      assertThat(stop.eventName()).isEqualTo("STOP");
    }

    @Test
    void vmEvents() throws Exception {
      assertThat(event("{'timestamp':{'seconds':1,'microseconds':0},'event':'RESUME'}"))
          .isInstanceOf(QmpEvent.Resume.class);
      assertThat(event("{'timestamp':{'seconds':1,'microseconds':0},'event':'POWERDOWN'}"))
          .isInstanceOf(QmpEvent.Powerdown.class);
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'SHUTDOWN',"
                      + "'data':{'guest':false,'reason':'host-qmp-quit'}}"))
          .isEqualTo(
              new QmpEvent.Shutdown(Instant.ofEpochSecond(1), false, ShutdownCause.HOST_QMP_QUIT));
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'RESET',"
                      + "'data':{'guest':true,'reason':'guest-reset'}}"))
          .isEqualTo(new QmpEvent.Reset(Instant.ofEpochSecond(1), true, ShutdownCause.GUEST_RESET));
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'DEVICE_DELETED',"
                      + "'data':{'path':'/machine/peripheral-anon/device[0]'}}"))
          .isEqualTo(
              new QmpEvent.DeviceDeleted(
                  Instant.ofEpochSecond(1),
                  Optional.empty(),
                  "/machine/peripheral-anon/device[0]"));
    }

    @Test
    void migrationEvents() throws Exception {
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'MIGRATION',"
                      + "'data':{'status':'postcopy-active'}}"))
          .isEqualTo(
              new QmpEvent.Migration(Instant.ofEpochSecond(1), MigrationStatus.POSTCOPY_ACTIVE));
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'MIGRATION_PASS',"
                      + "'data':{'pass':3}}"))
          .isEqualTo(new QmpEvent.MigrationPass(Instant.ofEpochSecond(1), 3));
    }

    @Test
    void blockJobEvents() throws Exception {
      Instant t = Instant.ofEpochSecond(1795639887, 623_527_000);
      assertThat(
              event(
                  "{'timestamp':{'seconds':1795639887,'microseconds':623527},"
                      + "'event':'BLOCK_JOB_READY','data':{'device':'m0','len':67108864,"
                      + "'offset':67108864,'speed':0,'type':'mirror'}}"))
          .isEqualTo(
              new QmpEvent.BlockJobReady(
                  t,
                  JobType.MIRROR,
                  "m0",
                  new ByteSize(64L << 20),
                  new ByteSize(64L << 20),
                  DataRate.ZERO));
      QmpEvent failed =
          event(
              "{'timestamp':{'seconds':1795639887,'microseconds':623527},"
                  + "'event':'BLOCK_JOB_COMPLETED','data':{'device':'m0','len':10,"
                  + "'offset':5,'speed':0,'type':'mirror','error':'Input/output error'}}");
      assertThat(((QmpEvent.BlockJobCompleted) failed).error()).contains("Input/output error");
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'BLOCK_JOB_ERROR',"
                      + "'data':{'device':'m0','operation':'write','action':'report'}}"))
          .isEqualTo(
              new QmpEvent.BlockJobError(
                  Instant.ofEpochSecond(1),
                  "m0",
                  QmpEvent.BlockJobError.IoOperation.WRITE,
                  QmpEvent.BlockJobError.ErrorAction.REPORT));
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'BLOCK_JOB_CANCELLED',"
                      + "'data':{'device':'m0','len':10,'offset':5,'speed':7,'type':'mirror'}}"))
          .isInstanceOf(QmpEvent.BlockJobCancelled.class);
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'JOB_STATUS_CHANGE',"
                      + "'data':{'status':'null','id':'m0'}}"))
          .isEqualTo(new QmpEvent.JobStatusChange(Instant.ofEpochSecond(1), "m0", JobStatus.NULL));
      assertThat(
              event(
                  "{'timestamp':{'seconds':1,'microseconds':0},'event':'BLOCK_JOB_PENDING',"
                      + "'data':{'type':'mirror','id':'m0'}}"))
          .isEqualTo(new QmpEvent.BlockJobPending(Instant.ofEpochSecond(1), JobType.MIRROR, "m0"));
    }

    @Test
    void unmodelledEventKeepsItsData() throws Exception {
      QmpEvent event =
          event(
              "{'timestamp':{'seconds':1,'microseconds':0},'event':'BLOCK_EXPORT_DELETED',"
                  + "'data':{'id':'exp0'}}");
      assertThat(event).isInstanceOf(QmpEvent.Unknown.class);
      assertThat(event.eventName()).isEqualTo("BLOCK_EXPORT_DELETED");
      assertThat(((QmpEvent.Unknown) event).data()).isEqualTo(json("{'id':'exp0'}"));
    }

    @Test
    void modelledEventWithUndecodableDataBecomesUnknown() throws Exception {
      QmpEvent event =
          event(
              "{'timestamp':{'seconds':1,'microseconds':0},'event':'MIGRATION',"
                  + "'data':{'status':'teleporting'}}");
      assertThat(event).isInstanceOf(QmpEvent.Unknown.class);
      assertThat(event.eventName()).isEqualTo("MIGRATION");
    }

    @Test
    void eventWithoutTimestampIsNotDelivered() throws Exception {
      assertThat(codec.decode("{\"event\":\"STOP\"}".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QmpCodec.Unrecognized.class);
    }
  }

  @Nested
  class RejectedReplies {
    @Test
    void unknownEnumValue() {
      assertThatThrownBy(
              () -> reply(new VmCommand.QueryStatus(), "{'status':'levitating','running':false}"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("levitating");
    }

    @Test
    void stringWhereANumberBelongs() {
      assertThatThrownBy(
              () ->
                  reply(
                      new BlockCommand.QueryBlockJobs(),
                      "[{'type':'mirror','device':'m0','len':'10','offset':0,'busy':false,"
                          + "'paused':false,'speed':0,'io-status':'ok','ready':false,"
                          + "'status':'running','auto-finalize':true,'auto-dismiss':true}]"))
          .isInstanceOf(IOException.class);
    }

    @Test
    void missingRequiredMember() {
      assertThatThrownBy(() -> reply(new VmCommand.QueryStatus(), "{'running':true}"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("status");
    }

    @Test
    void missingRequiredNumber() {
      assertThatThrownBy(
              () ->
                  reply(
                      new MigrationCommand.QueryMigrate(),
                      "{'status':'active','ram':{'remaining':2,'total':3,'duplicate':1}}"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("transferred");
    }

    @Test
    void negativeSize() {
      assertThatThrownBy(
              () ->
                  reply(new MigrationCommand.QueryMigrateParameters(), "{'xbzrle-cache-size':-1}"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("negative");
    }

    @Test
    void fractionWhereAnIntegerBelongs() {
      assertThatThrownBy(
              () -> reply(new MigrationCommand.QueryMigrateParameters(), "{'downtime-limit':1.5}"))
          .isInstanceOf(IOException.class);
    }
  }

  @Nested
  class RejectedMessages {
    @Test
    void notJson() {
      assertThatThrownBy(() -> codec.decode("this is not json".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QmpCodec.ViolationException.class)
          .hasMessageStartingWith("not JSON");
    }

    @Test
    void notAnObject() {
      assertThatThrownBy(() -> codec.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QmpCodec.ViolationException.class)
          .hasMessageContaining("not a JSON object");
    }

    @Test
    void twoMessagesOnOneLine() {
      assertThatThrownBy(
              () ->
                  codec.decode("{\"return\":{}} {\"return\":{}}".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QmpCodec.ViolationException.class);
    }

    @Test
    void greetingWithoutVersion() {
      assertThatThrownBy(
              () ->
                  codec.decode("{\"QMP\":{\"capabilities\":[]}}".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QmpCodec.ViolationException.class)
          .hasMessageContaining("greeting");
    }

    @Test
    void objectThatIsNoQmpMessageIsIgnoredNotFatal() throws Exception {
      assertThat(codec.decode("{\"hello\":1}".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(QmpCodec.Unrecognized.class);
    }

    @Test
    void errorReplyKeepsClassAndDescription() throws Exception {
      assertThat(
              codec.decode(
                  "{\"id\":3,\"error\":{\"class\":\"GenericError\",\"desc\":\"nope\"}}"
                      .getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(
              new QmpCodec.ErrorReply(JSON.getNodeFactory().numberNode(3), "GenericError", "nope"));
    }
  }
}
