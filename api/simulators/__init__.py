"""Simulated ministry backends: one small FastAPI app per ministry, speaking that ministry's
own API shape, over the deterministic seed population (`api.simulators.seed`).

Each app is mounted in-process by its adapter (`api.ministries`) unless a real base URL is
configured. `base.create_simulator` adds the simulated latency and the injected faults;
`store.SimStore` keeps the little mutable state (submitted applications, paid billings) in
the gateway's database, table `sim_records`.
"""
