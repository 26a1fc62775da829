/**
 * The benchmark's report: per-run figures summarised per peer and scenario ({@link
 * dev.ferry.bench.report.Stats}, {@link dev.ferry.bench.report.PeerSummary}), the machine they ran
 * on ({@link dev.ferry.bench.report.Machine}) and Markdown tables ({@link
 * dev.ferry.bench.report.Report}, {@link dev.ferry.bench.report.Table}) as pasted into {@code
 * docs/benchmarks.md}. Pure formatting; used by {@link dev.ferry.bench.Bench}.
 */
package dev.ferry.bench.report;
