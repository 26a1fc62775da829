/**
 * The agent's REST contract, version 1, and a client for it.
 *
 * <pre>
 * GET    /v1/host                       host facts (CPU, memory, accelerator, QEMU)
 * GET    /v1/vms                        all VMs on this host
 * POST   /v1/vms                        create (body: VmCreateRequest) -> 201 VmInfo
 * GET    /v1/vms/{name}                 one VM
 * POST   /v1/vms/{name}/start           start (or re-start) a stopped VM
 * POST   /v1/vms/{name}/stop            graceful, then forced (?force=true&amp;timeout=30s)
 * POST   /v1/vms/{name}/pause|resume    pause or resume the vCPUs
 * DELETE /v1/vms/{name}                 delete a stopped VM's definition (?force=true stops it)
 * GET    /v1/vms/{name}/console         the serial console log (?bytes=N: the last N bytes)
 * GET    /v1/events                     server-sent events (AgentEvent), newest first after ?since=seq
 * </pre>
 *
 * Every error is an {@link dev.ferry.api.ApiError} body with a 4xx/5xx status naming the problem.
 * Bodies are JSON; unknown fields in a request are rejected so a typo never goes unnoticed.
 */
package dev.ferry.api;
