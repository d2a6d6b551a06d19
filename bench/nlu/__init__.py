"""Understanding benchmarks: three systems on the held-out NLU test split."""
