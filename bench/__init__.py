"""Benchmarks (docs/performance.md); the workload they import is the product's synthetic body (ledger.synthetic)."""
