package dev.ferry.qmp;

import java.util.List;

/** Commands that query or change the VM's run state and identity. */
public sealed interface VmCommand<R> extends QmpCommand<R> {

  /** The run state: {@code prelaunch}, {@code running}, {@code paused}, ... */
  record QueryStatus() implements VmCommand<StatusInfo> {
    @Override
    public String commandName() {
      return "query-status";
    }

    @Override
    public ReplyType<StatusInfo> replyType() {
      return ReplyType.of(StatusInfo.class);
    }
  }

  record QueryVersion() implements VmCommand<QemuVersion> {
    @Override
    public String commandName() {
      return "query-version";
    }

    @Override
    public ReplyType<QemuVersion> replyType() {
      return ReplyType.of(QemuVersion.class);
    }
  }

  /** Whether KVM is present on the host and enabled for this VM. */
  record QueryKvm() implements VmCommand<KvmInfo> {
    @Override
    public String commandName() {
      return "query-kvm";
    }

    @Override
    public ReplyType<KvmInfo> replyType() {
      return ReplyType.of(KvmInfo.class);
    }
  }

  record QueryName() implements VmCommand<NameInfo> {
    @Override
    public String commandName() {
      return "query-name";
    }

    @Override
    public ReplyType<NameInfo> replyType() {
      return ReplyType.of(NameInfo.class);
    }
  }

  record QueryUuid() implements VmCommand<UuidInfo> {
    @Override
    public String commandName() {
      return "query-uuid";
    }

    @Override
    public ReplyType<UuidInfo> replyType() {
      return ReplyType.of(UuidInfo.class);
    }
  }

  record QueryCpusFast() implements VmCommand<List<CpuInfo>> {
    @Override
    public String commandName() {
      return "query-cpus-fast";
    }

    @Override
    public ReplyType<List<CpuInfo>> replyType() {
      return ReplyType.listOf(CpuInfo.class);
    }
  }

  /** The machine types this QEMU binary offers. */
  record QueryMachines() implements VmCommand<List<MachineInfo>> {
    @Override
    public String commandName() {
      return "query-machines";
    }

    @Override
    public ReplyType<List<MachineInfo>> replyType() {
      return ReplyType.listOf(MachineInfo.class);
    }
  }

  /** Pauses the guest's vCPUs; QEMU emits STOP. */
  record Stop() implements VmCommand<Void> {
    @Override
    public String commandName() {
      return "stop";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Resumes (or first starts) the guest; QEMU emits RESUME. */
  record Cont() implements VmCommand<Void> {
    @Override
    public String commandName() {
      return "cont";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Presses the ACPI power button; QEMU emits POWERDOWN and the guest may shut down. */
  record SystemPowerdown() implements VmCommand<Void> {
    @Override
    public String commandName() {
      return "system_powerdown";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Hard-resets the guest; QEMU emits RESET. */
  record SystemReset() implements VmCommand<Void> {
    @Override
    public String commandName() {
      return "system_reset";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Ends the QEMU process; it replies, emits SHUTDOWN and closes the socket. */
  record Quit() implements VmCommand<Void> {
    @Override
    public String commandName() {
      return "quit";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }
}
