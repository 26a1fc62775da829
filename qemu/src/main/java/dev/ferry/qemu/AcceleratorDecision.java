package dev.ferry.qemu;

/**
 * Which accelerator a host uses and why, e.g. "tcg: /dev/kvm is absent" or "tcg: KVM is present but
 * a test guest did not boot under it within 20 s".
 */
public record AcceleratorDecision(
    Accelerator accelerator, AcceleratorChoice configured, String reason) {
  @Override
  public String toString() {
    return accelerator.qemuName() + " (" + configured.text() + "): " + reason;
  }
}
