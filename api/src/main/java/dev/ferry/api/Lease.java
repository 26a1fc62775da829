package dev.ferry.api;

import java.time.Instant;

/**
 * The manager's grant that one host may run one VM. Exactly one host holds a VM's lease; each
 * handover moves it and adds one to the epoch, so a copy left behind with an older epoch is fenced.
 *
 * @param vm the VM's name
 * @param host the only host that may start or resume it
 * @param epoch raised by one at each move
 * @param since when this host got it
 */
public record Lease(String vm, String host, long epoch, Instant since) {}
