-- A lease moved at handover is pending until the destination activates it; until then the source
-- may reclaim it. NULL: the lease is settled.
ALTER TABLE vms ADD COLUMN pending_from VARCHAR(128);
