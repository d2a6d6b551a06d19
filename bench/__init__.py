"""Benchmarks of Asisten Warga (`make bench`, docs/benchmarks.md).

- `bench.nlu`: understanding on the held-out test split, our pipeline against Rasa's default
  pipeline and a TF-IDF + logistic-regression baseline (Rasa runtime).
- `bench.train`: training time of our config (Rasa runtime).
- `bench.load`: the stack under N concurrent citizens, through the gateway and straight to
  Rasa, with CPU and memory per process (gateway runtime).
- `bench.report`: docs/benchmarks.md and its plots from the JSON results in var/bench/.

The modules shared by both runtimes (`bench.common`) keep to Python 3.10.
"""
