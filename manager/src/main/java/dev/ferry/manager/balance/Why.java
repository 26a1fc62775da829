package dev.ferry.manager.balance;

/** Why a host cannot take a VM (or a group of VMs); {@link Rejections} words them for people. */
enum Why {
  /** The VM is already there. */
  SAME_HOST("already there"),
  /** The host is down or in maintenance. */
  UNSCHEDULABLE("not schedulable (down or in maintenance)"),
  /** The host's compatibility class differs: a live migration there would fail. */
  INCOMPATIBLE("of another compatibility class"),
  /** The VM's memory would eat into the host's headroom. */
  MEMORY("short of free memory"),
  /** The host is outside a mandatory host group of the VM. */
  HOST_GROUP("outside its mandatory host group"),
  /** The host is outside a preferred host group the move is meant to satisfy. */
  PREFERRED_GROUP("outside its preferred host group"),
  /** The rest of the VM's affinity group runs elsewhere. */
  AFFINITY("away from its affinity group"),
  /** The host runs a VM this one must avoid. */
  ANTI_AFFINITY("running a VM it must be kept apart from");

  private final String phrase;

  Why(String phrase) {
    this.phrase = phrase;
  }

  /** How a group of hosts rejected for this reason is described: "12 hosts short of ...". */
  String phrase() {
    return phrase;
  }
}
