/**
 * The manager's inventory in SQL (SQLite by default, PostgreSQL for production), one class per
 * table, schema by Flyway migrations under {@code db/migration}. The lease columns of {@code vms}
 * are written only through {@code manager.leases} (a layering test holds that); everything else
 * here is plain reads and writes.
 */
package dev.ferry.manager.store;
