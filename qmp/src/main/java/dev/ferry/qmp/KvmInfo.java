package dev.ferry.qmp;

/**
 * Reply to {@code query-kvm}.
 *
 * @param enabled this VM runs under KVM
 * @param present the host offers KVM
 */
public record KvmInfo(boolean enabled, boolean present) {}
