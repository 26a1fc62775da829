/**
 * The host side of VM networking: {@link dev.ferry.agent.network.TapDevices} makes one tap per NIC
 * and enslaves it to a named bridge with {@code ip} (run through the shared {@link
 * dev.ferry.common.process.ProcessRunner}), and removes it again.
 */
package dev.ferry.agent.network;
