/**
 * The VMs of this host and their QEMU processes. {@link dev.ferry.agent.vm.VmService} is the face;
 * the migration engine and the disk mover hold a VM through the capability handles {@link
 * dev.ferry.agent.vm.OutgoingHandle}, {@link dev.ferry.agent.vm.IncomingHandle} and {@link
 * dev.ferry.agent.vm.DiskMoveHandle}.
 *
 * <h2>Who does what</h2>
 *
 * <ul>
 *   <li>{@code VmLifecycle}: the lifecycle as a pure function {@code (VmStatus, record, VmOp) ->
 *       Enter(next) | Unchanged | Refusal(reason)}; no I/O. Its whole table is {@code
 *       VmLifecycleTest}.
 *   <li>{@code ManagedVm}: one VM's lock, status and record. Every operation takes the lock, asks
 *       the lifecycle, persists the record, applies, and enters the decided state.
 *   <li>{@code QemuProcess}: one QEMU with its monitor and taps: launch, watch, stop, kill, clean
 *       up. {@code QemuHost} is what it launches through (taps, binary); tests replace it.
 *   <li>{@code Launch}: launching QEMU for a start or a receive, and undoing a failed launch.
 *   <li>{@code Adoption}: finding a QEMU again after an agent restart; {@code VmWatch}: QEMU's
 *       events and exit as lifecycle operations; {@code ConsoleLog}: the serial console.
 *   <li>{@code OutgoingSide}, {@code IncomingSide}, {@code DiskMoveSide}: the handles.
 *   <li>{@code VmStore}: {@code <state>/vms/<name>/vm.json}, a {@code common.Persisted} state file
 *       ({@code vm-record} version 2; the plain JSON of earlier agents is read as version 1).
 * </ul>
 *
 * <h2>Lifecycle</h2>
 *
 * A VM's status is a phase and, at most, one hold. Operators' operations (start, stop, pause,
 * resume) are refused while a hold is on; only the holder's handle ends it.
 *
 * <pre>
 * stateDiagram-v2
 *   [*] --> STOPPED : defined
 *   STOPPED --> STARTING : start
 *   CRASHED --> STARTING : start
 *   STARTING --> RUNNING : launched (cont answered)
 *   STARTING --> STOPPED : launch failed, QEMU exited during start (last error)
 *   RUNNING --> PAUSED : pause / STOP event
 *   PAUSED --> RUNNING : resume / RESUME event
 *   RUNNING --> STOPPING : stop
 *   PAUSED --> STOPPING : stop
 *   STOPPING --> STOPPED : QEMU ended (powerdown, quit, kill)
 *   RUNNING --> STOPPED : guest powered off
 *   RUNNING --> CRASHED : QEMU died (last error)
 *   PAUSED --> CRASHED : QEMU died
 *   INCOMING --> CRASHED : QEMU died
 *   STOPPED --> INCOMING : receive [new VM; Incoming hold]
 *   INCOMING --> RUNNING : takeOver [hold ends]
 *   INCOMING --> STOPPING : discard [hold ends]
 *   RUNNING --> STOPPING : release after handover [Outgoing hold ends]
 *   PAUSED --> STOPPING : release after handover
 *   STOPPED --> RUNNING : adopted after an agent restart (or PAUSED, INCOMING)
 *   STOPPED --> CRASHED : not adopted, though the record wanted it running
 * </pre>
 *
 * <h2>Holds</h2>
 *
 * <pre>
 *   hold       taken by                  on             ends with                  VM afterwards
 *   ─────────  ────────────────────────  ─────────────  ─────────────────────────  ───────────────────────
 *   Outgoing   beginOutgoing (source)    RUNNING|PAUSED release (handover)         owner = destination,
 *              resumeOutgoing (restart)                                            QEMU quit: STOPPED
 *                                                       rollBack                   RUNNING if it was, here
 *                                                       keepPaused                 PAUSED, last error says
 *                                                                                  the handover is unknown
 *   DiskMove   beginDiskMove             RUNNING|PAUSED finish (record the disk)   as it was
 *                                                       abandon                    as it was
 *   Incoming   receive (destination):    new, STOPPED   takeOver (owner = here,    RUNNING
 *              launches QEMU -incoming   → INCOMING       then cont, announce)
 *              adoption (restart)                       discard                    QEMU killed: STOPPED
 * </pre>
 *
 * <p>When QEMU dies under a hold, the VM becomes CRASHED (the error recorded, taps released) and
 * the hold stays until its handle ends it, so the operator cannot start the VM while its migration
 * or move is still unwinding. When QEMU dies otherwise the VM becomes CRASHED, or STOPPED if the
 * guest powered itself off. Every stop of ours ends under the VM's lock, so the exit watcher only
 * ever meets processes that are already dealt with.
 *
 * <p>Ownership: the record's owner and epoch say who may run the guest; it is only started or
 * resumed here while this host is the owner (and, when bound, the manager's lease agrees). The
 * record is written before the effect it describes: ownership before the source QEMU quits at a
 * handover, before the destination resumes at a take-over, desired=RUNNING before QEMU launches. A
 * record that cannot be written fails the operation, and nothing else changes.
 */
package dev.ferry.agent.vm;
