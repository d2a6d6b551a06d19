"""Simulated ministry backends: one small FastAPI app per ministry, speaking that ministry's
own API shape, over the deterministic seed population (`simulators.seed`).

The gateway knows only URLs: it embeds these apps (`backends.embedded`, imported by name when
`AW_SIMULATORS=embedded` and a ministry has no `AW_<KEY>_URL`), or `python -m simulators`
serves them on a port. `backends.FACTORIES` is the table from ministry key to simulator;
`base.create_simulator` adds the simulated latency and the injected faults; `store` keeps
the little mutable state (submitted applications, paid billings) in the simulators' own
database (`AW_SIMULATORS_DATABASE_URL`).
"""
