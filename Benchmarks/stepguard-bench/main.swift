// Benchmarks arrive with their issues.
