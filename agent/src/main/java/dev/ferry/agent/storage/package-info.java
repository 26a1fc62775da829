/**
 * Where VM images may live and what is known about them: {@link
 * dev.ferry.agent.storage.StorageRoots} confines every path a request names to the agent's roots
 * (symlinks resolved), and {@link dev.ferry.agent.storage.LiveNodes} finds the block node a live
 * disk reads from; image sizes come from {@link dev.ferry.qemu.QemuImg}. Depends on nothing else in
 * the agent; the storage-only move is {@code dev.ferry.agent.diskmove}.
 */
package dev.ferry.agent.storage;
