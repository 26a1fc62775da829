/**
 * Where VM images may live and what is known about them: the storage roots every path must stay
 * inside (symlinks resolved), image sizes (for preflight's room check) and the block node a live
 * disk reads from. Depends on nothing else in the agent; the storage-only move is {@code
 * dev.ferry.agent.diskmove}.
 */
package dev.ferry.agent.storage;
