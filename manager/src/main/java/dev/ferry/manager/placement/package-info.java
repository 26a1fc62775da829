/**
 * The bridge between the inventory and the pure balancer: {@link
 * dev.ferry.manager.placement.ClusterPlacement} builds the balancer's model of the cluster (hosts
 * with facts and load, VMs with measured CPU, anti-affinity rules, recent moves) and answers where
 * a new VM goes, where a VM should migrate, and how a host is evacuated.
 */
package dev.ferry.manager.placement;
